"""After sending: the one verdict on a send, exchanges, delivery receipts and the receiver
that takes them, and each message's timeline.
"""
