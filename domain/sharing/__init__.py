"""Sharing with a peer or supervisor: contacts, shares, threads, key rotation after revocation."""
