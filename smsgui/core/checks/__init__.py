"""Before sending: segment counting, the pre-send checks, and planning a send to several
recipients.
"""
