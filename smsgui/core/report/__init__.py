"""What is handed on: diagnostic summaries and JSON forms for scripts.
"""
