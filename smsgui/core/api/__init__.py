"""Talking to the Vonage APIs: signing, the request values, the client, decoding what comes
back, the saved form of a request and its answer, profiles and the secrets they use.
"""
