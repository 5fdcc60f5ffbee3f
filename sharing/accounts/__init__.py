"""Accounts: who may sign up (invites, allowed e-mail domains), e-mail verification, the
one-time setup token for the first administrator, and how a person is named when sharing."""
