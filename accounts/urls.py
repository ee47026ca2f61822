"""The pages of accounts: the office's API tokens and the 安全管理员's accounts.

Mounted whole by ``qualitytrack.urls`` (the paths keep the addresses they had); sign-in, the
password change and the second-factor pages are named without a namespace, there, because
``LOGIN_URL`` and Django's auth views name them so.
"""

from django.urls import path

from .views import accounts, tokens

app_name = "accounts"

urlpatterns = [
    # The office's API token page (create, list with last use, revoke).
    path("api/tokens/", tokens.token_list, name="token-list"),
    path("api/tokens/<int:pk>/revoke/", tokens.token_revoke_view, name="token-revoke"),
    # The 安全管理员's accounts (三权分立).
    path("entry/accounts/", accounts.account_list, name="account-list"),
    path("entry/accounts/new/", accounts.account_create, name="account-create"),
    path("entry/accounts/<int:pk>/", accounts.account_detail, name="account-detail"),
    path("entry/accounts/<int:pk>/<slug:action>/", accounts.account_action,
         name="account-action"),
]
