"""Who someone is: accounts, passwords, sessions, second factors, passkeys, attempt limits."""
