"""Pages of accounts: sign-in's second factor (``otp``), the API tokens (``tokens``) and the
安全管理员's accounts (``accounts``)."""
