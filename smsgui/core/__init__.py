"""The Qt-free heart of smsgui: decoding, checks, the API client, summaries and documents."""
