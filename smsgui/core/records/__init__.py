"""What is kept: the history of sends and the session that keeps a send's record true.
"""
