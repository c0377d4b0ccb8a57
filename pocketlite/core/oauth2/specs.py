"""Where each OAuth2 provider PocketBase ships signs users in: its endpoints, scopes and whether
it takes PKCE. Captured from PocketBase 0.40.6 (its `auth-methods` output and provider sources);
a collection's provider config may override the URLs and the PKCE switch."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["SPECS", "Spec"]


@dataclass(frozen=True)
class Spec:
    """A provider's defaults; extra query parameters for its authorization URL in `auth_params`."""

    auth_url: str
    token_url: str
    user_info_url: str
    scopes: tuple[str, ...]
    pkce: bool = True
    auth_params: dict[str, str] = field(default_factory=dict)


_GOOGLE_SCOPES = (
    "https://www.googleapis.com/auth/userinfo.profile",
    "https://www.googleapis.com/auth/userinfo.email",
)
_OIDC = Spec("", "", "", ("openid", "email", "profile"))

SPECS: dict[str, Spec] = {
    "apple": Spec(
        "https://appleid.apple.com/auth/authorize",
        "https://appleid.apple.com/auth/token",
        "",
        ("name", "email"),
        auth_params={"response_mode": "form_post"},
    ),
    "google": Spec(
        "https://accounts.google.com/o/oauth2/v2/auth",
        "https://oauth2.googleapis.com/token",
        "https://www.googleapis.com/oauth2/v3/userinfo",
        _GOOGLE_SCOPES,
    ),
    "microsoft": Spec(
        "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
        "https://login.microsoftonline.com/common/oauth2/v2.0/token",
        "https://graph.microsoft.com/v1.0/me",
        ("User.Read",),
    ),
    "yandex": Spec(
        "https://oauth.yandex.com/authorize",
        "https://oauth.yandex.com/token",
        "https://login.yandex.ru/info",
        ("login:email", "login:avatar", "login:info"),
    ),
    "facebook": Spec(
        "https://www.facebook.com/v3.2/dialog/oauth",
        "https://graph.facebook.com/v3.2/oauth/access_token",
        "https://graph.facebook.com/me?fields=name,email,picture.type(large)",
        ("email",),
    ),
    "instagram2": Spec(
        "https://www.instagram.com/oauth/authorize",
        "https://api.instagram.com/oauth/access_token",
        "https://graph.instagram.com/me?fields=id,username,account_type,user_id,name,profile_picture_url,"
        "followers_count,follows_count,media_count",
        ("instagram_business_basic",),
    ),
    "github": Spec(
        "https://github.com/login/oauth/authorize",
        "https://github.com/login/oauth/access_token",
        "https://api.github.com/user",
        ("read:user", "user:email"),
    ),
    "gitlab": Spec(
        "https://gitlab.com/oauth/authorize",
        "https://gitlab.com/oauth/token",
        "https://gitlab.com/api/v4/user",
        ("read_user",),
    ),
    "bitbucket": Spec(
        "https://bitbucket.org/site/oauth2/authorize",
        "https://bitbucket.org/site/oauth2/access_token",
        "https://api.bitbucket.org/2.0/user",
        ("account",),
        pkce=False,
    ),
    "gitee": Spec(
        "https://gitee.com/oauth/authorize",
        "https://gitee.com/oauth/token",
        "https://gitee.com/api/v5/user",
        ("user_info", "emails"),
    ),
    "gitea": Spec(
        "https://gitea.com/login/oauth/authorize",
        "https://gitea.com/login/oauth/access_token",
        "https://gitea.com/api/v1/user",
        ("read:user", "user:email"),
    ),
    "discord": Spec(
        "https://discord.com/api/oauth2/authorize",
        "https://discord.com/api/oauth2/token",
        "https://discord.com/api/users/@me",
        ("identify", "email"),
    ),
    "twitter": Spec(
        "https://x.com/i/oauth2/authorize",
        "https://api.x.com/2/oauth2/token",
        "https://api.x.com/2/users/me?user.fields=id,name,username,profile_image_url,confirmed_email",
        ("users.read", "users.email", "tweet.read"),
    ),
    "kakao": Spec(
        "https://kauth.kakao.com/oauth/authorize",
        "https://kauth.kakao.com/oauth/token",
        "https://kapi.kakao.com/v2/user/me",
        ("account_email", "profile_nickname", "profile_image"),
    ),
    "vk": Spec(
        "https://oauth.vk.com/authorize",
        "https://oauth.vk.com/access_token",
        "https://api.vk.com/method/users.get?fields=photo_max,screen_name&v=5.131",
        ("email",),
        pkce=False,
    ),
    "linear": Spec(
        "https://linear.app/oauth/authorize",
        "https://api.linear.app/oauth/token",
        "https://api.linear.app/graphql",
        ("read",),
        pkce=False,
    ),
    "notion": Spec(
        "https://api.notion.com/v1/oauth/authorize",
        "https://api.notion.com/v1/oauth/token",
        "https://api.notion.com/v1/users/me",
        (),
    ),
    "monday": Spec(
        "https://auth.monday.com/oauth2/authorize",
        "https://auth.monday.com/oauth2/token",
        "https://api.monday.com/v2",
        ("me:read",),
    ),
    "lark": Spec(
        "https://accounts.feishu.cn/open-apis/authen/v1/authorize",
        "https://open.feishu.cn/open-apis/authen/v2/oauth/token",
        "https://open.feishu.cn/open-apis/authen/v1/user_info",
        (),
    ),
    "box": Spec(
        "https://account.box.com/api/oauth2/authorize",
        "https://api.box.com/oauth2/token",
        "https://api.box.com/2.0/users/me",
        ("root_readonly",),
    ),
    "spotify": Spec(
        "https://accounts.spotify.com/authorize",
        "https://accounts.spotify.com/api/token",
        "https://api.spotify.com/v1/me",
        ("user-read-private",),
    ),
    "trakt": Spec(
        "https://trakt.tv/oauth/authorize",
        "https://api.trakt.tv/oauth/token",
        "https://api.trakt.tv/users/settings",
        (),
    ),
    "twitch": Spec(
        "https://id.twitch.tv/oauth2/authorize",
        "https://id.twitch.tv/oauth2/token",
        "https://api.twitch.tv/helix/users",
        ("user:read:email",),
    ),
    "patreon": Spec(
        "https://www.patreon.com/oauth2/authorize",
        "https://www.patreon.com/api/oauth2/token",
        "https://www.patreon.com/api/oauth2/v2/identity"
        "?fields%5Buser%5D=full_name,email,vanity,image_url,is_email_verified",
        ("identity", "identity[email]"),
    ),
    "strava": Spec(
        "https://www.strava.com/oauth/authorize",
        "https://www.strava.com/api/v3/oauth/token",
        "https://www.strava.com/api/v3/athlete",
        ("profile:read_all",),
    ),
    "wakatime": Spec(
        "https://wakatime.com/oauth/authorize",
        "https://wakatime.com/oauth/token",
        "https://wakatime.com/api/v1/users/current",
        ("email",),
    ),
    "livechat": Spec(
        "https://accounts.livechat.com/",
        "https://accounts.livechat.com/token",
        "https://accounts.livechat.com/v2/accounts/me",
        (),
    ),
    "mailcow": Spec("", "", "", ("profile",)),
    "planningcenter": Spec(
        "https://api.planningcenteronline.com/oauth/authorize",
        "https://api.planningcenteronline.com/oauth/token",
        "https://api.planningcenteronline.com/people/v2/me",
        ("people",),
    ),
    "oidc": _OIDC,
    "oidc2": _OIDC,
    "oidc3": _OIDC,
}
