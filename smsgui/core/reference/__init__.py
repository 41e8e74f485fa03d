"""The data smsgui explains with: the troubleshooting knowledge base, the network and
country tables, the sandbox's test numbers, and where their files are.
"""
