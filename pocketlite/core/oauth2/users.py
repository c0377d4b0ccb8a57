"""How each provider's user payload becomes PocketBase's OAuth2 user (PocketBase's
`tools/auth/*.go` FetchAuthUser, one small function per provider). Only verified e-mail addresses
are kept: an address the provider doesn't vouch for must not link accounts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pocketlite.core.fields.email_syntax import is_email

__all__ = ["MAPPERS", "Profile", "UserError", "Userinfo"]


class UserError(Exception):
    """The provider's answer names no usable user (inactive account, missing data)."""


@dataclass
class Profile:
    """The fields a mapper fills in."""

    id: str = ""
    name: str = ""
    username: str = ""
    email: str = ""
    avatarURL: str = ""


@dataclass
class Userinfo:
    """What a mapper works from: the user payload, the token response, and an authorized GET
    for the providers that keep e-mail addresses at another endpoint."""

    raw: dict[str, Any]
    token: dict[str, Any]
    get_json: Callable[[str], Awaitable[Any]]
    user_info_url: str


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _id(value: Any) -> str:
    """Numeric ids as Go's strconv.FormatInt writes them."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _s(value)


def _at(data: Any, *path: str | int) -> Any:
    for key in path:
        if isinstance(key, int):
            data = data[key] if isinstance(data, list) and len(data) > key else None
        else:
            data = data.get(key) if isinstance(data, dict) else None
    return data


def _truthy(value: Any) -> bool:
    """Go's cast.ToBool: true, 1, "true", "1", "t"... (Apple sends strings)."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "t", "true")
    return bool(value)


async def _google(u: Userinfo) -> Profile:
    r = u.raw
    email = _s(r.get("email")) if r.get("email_verified") is True else ""
    return Profile(_s(r.get("sub")), _s(r.get("name")), "", email, _s(r.get("picture")))


async def _primary_email(u: Userinfo, url: str) -> str:
    emails = await u.get_json(url)
    for item in emails if isinstance(emails, list) else []:
        if isinstance(item, dict) and item.get("verified") and item.get("primary"):
            return _s(item.get("email"))
    return ""


async def _github(u: Userinfo) -> Profile:
    r = u.raw
    email = await _primary_email(u, u.user_info_url + "/emails")
    return Profile(_id(r.get("id")), _s(r.get("name")), _s(r.get("login")), email, _s(r.get("avatar_url")))


async def _gitea(u: Userinfo) -> Profile:
    r = u.raw
    if not r.get("active"):
        raise UserError("the Gitea account is not active")
    email = await _primary_email(u, u.user_info_url + "/emails")
    return Profile(
        _id(r.get("id")), _s(r.get("full_name")), _s(r.get("login")), email, _s(r.get("avatar_url"))
    )


async def _gitlab(u: Userinfo) -> Profile:
    r = u.raw
    email = _s(r.get("email")) if r.get("confirmed_at") else ""
    return Profile(_id(r.get("id")), _s(r.get("name")), _s(r.get("username")), email, _s(r.get("avatar_url")))


async def _bitbucket(u: Userinfo) -> Profile:
    r = u.raw
    if r.get("account_status") != "active":
        raise UserError("the Bitbucket account is not active")
    email = ""
    emails = await u.get_json(u.user_info_url + "/emails")
    for item in _at(emails, "values") or []:
        if isinstance(item, dict) and item.get("is_primary") and item.get("is_confirmed"):
            email = _s(item.get("email"))
            break
    avatar = _s(_at(r, "links", "avatar", "href"))
    return Profile(_s(r.get("uuid")), _s(r.get("display_name")), _s(r.get("username")), email, avatar)


async def _gitee(u: Userinfo) -> Profile:
    r = u.raw
    email = _s(r.get("email"))
    if not (email and is_email(email)):
        email = ""
        emails = await u.get_json("https://gitee.com/api/v5/emails")
        for item in emails if isinstance(emails, list) else []:
            address = _s(_at(item, "email"))
            if (
                _at(item, "state") == "confirmed"
                and "primary" in (_at(item, "scope") or [])
                and is_email(address)
            ):
                email = address
                break
    return Profile(_id(r.get("id")), _s(r.get("name")), _s(r.get("login")), email, _s(r.get("avatar_url")))


async def _microsoft(u: Userinfo) -> Profile:
    r = u.raw
    return Profile(_s(r.get("id")), _s(r.get("displayName")), "", _s(r.get("mail")), "")


async def _discord(u: Userinfo) -> Profile:
    r = u.raw
    user_id, avatar = _s(r.get("id")), _s(r.get("avatar"))
    name = _s(r.get("global_name"))
    if not name:
        name = _s(r.get("username"))
        discriminator = _s(r.get("discriminator"))
        if discriminator not in ("", "0"):
            name += "#" + discriminator
    avatar_url = f"https://cdn.discordapp.com/avatars/{user_id}/{avatar}.png" if avatar else ""
    email = _s(r.get("email")) if r.get("verified") else ""
    return Profile(user_id, name, _s(r.get("username")), email, avatar_url)


async def _facebook(u: Userinfo) -> Profile:
    r = u.raw
    avatar = _s(_at(r, "picture", "data", "url"))
    return Profile(_s(r.get("id")), _s(r.get("name")), "", _s(r.get("email")), avatar)


async def _id_token_user(u: Userinfo) -> Profile:
    """Apple and OIDC: standard claims (from the verified id_token or the userinfo endpoint)."""
    r = u.raw
    email = _s(r.get("email")) if _truthy(r.get("email_verified")) else ""
    return Profile(
        _s(r.get("sub")), _s(r.get("name")), _s(r.get("preferred_username")), email, _s(r.get("picture"))
    )


async def _yandex(u: Userinfo) -> Profile:
    r = u.raw
    avatar = (
        ""
        if r.get("is_avatar_empty")
        else f"https://avatars.yandex.net/get-yapic/{_s(r.get('default_avatar_id'))}/islands-200"
    )
    return Profile(
        _s(r.get("id")), _s(r.get("real_name")), _s(r.get("login")), _s(r.get("default_email")), avatar
    )


async def _instagram(u: Userinfo) -> Profile:
    r = u.raw
    if "permissions" not in r and u.token.get("permissions") is not None:
        r["permissions"] = u.token["permissions"]
    return Profile(
        _s(r.get("user_id")), _s(r.get("name")), _s(r.get("username")), "", _s(r.get("profile_picture_url"))
    )


async def _spotify(u: Userinfo) -> Profile:
    r = u.raw
    return Profile(_s(r.get("id")), _s(r.get("display_name")), "", "", _s(_at(r, "images", 0, "url")))


async def _strava(u: Userinfo) -> Profile:
    r = u.raw
    user_id = _id(r.get("id")) if r.get("id") else ""
    name = f"{_s(r.get('firstname'))} {_s(r.get('lastname'))}"
    return Profile(user_id, name, _s(r.get("username")), "", _s(r.get("profile")))


async def _twitch(u: Userinfo) -> Profile:
    user = _at(u.raw, "data", 0)
    if not isinstance(user, dict):
        raise UserError("no Twitch user data")
    return Profile(
        _s(user.get("id")),
        _s(user.get("display_name")),
        _s(user.get("login")),
        _s(user.get("email")),
        _s(user.get("profile_image_url")),
    )


async def _kakao(u: Userinfo) -> Profile:
    r = u.raw
    account = r.get("kakao_account") or {}
    valid = account.get("is_email_valid") and account.get("is_email_verified")
    email = _s(account.get("email")) if valid else ""
    props = r.get("properties") or {}
    return Profile(_id(r.get("id")), "", _s(props.get("nickname")), email, _s(props.get("profile_image")))


async def _box(u: Userinfo) -> Profile:
    r = u.raw
    if r.get("status") != "active":
        raise UserError(f"Box user account is not active (status: {r.get('status')!r})")
    # NB: Box only authorizes accounts with a verified address, their login.
    return Profile(_s(r.get("id")), _s(r.get("name")), "", _s(r.get("login")), _s(r.get("avatar_url")))


async def _lark(u: Userinfo) -> Profile:
    data = u.raw.get("data") or {}
    return Profile(_s(data.get("union_id")), _s(data.get("name")), "", "", _s(data.get("avatar_url")))


async def _livechat(u: Userinfo) -> Profile:
    r = u.raw
    email = _s(r.get("email")) if r.get("email_verified") else ""
    return Profile(_s(r.get("account_id")), _s(r.get("name")), "", email, _s(r.get("avatar_url")))


async def _twitter(u: Userinfo) -> Profile:
    d = u.raw.get("data") or {}
    return Profile(
        _s(d.get("id")),
        _s(d.get("name")),
        _s(d.get("username")),
        _s(d.get("confirmed_email")),
        _s(d.get("profile_image_url")),
    )


async def _wakatime(u: Userinfo) -> Profile:
    d = u.raw.get("data") or {}
    email = _s(d.get("email")) if d.get("is_email_confirmed") else ""
    avatar = _s(d.get("photo")) if d.get("photo_public") else ""
    return Profile(_s(d.get("id")), _s(d.get("display_name")), _s(d.get("username")), email, avatar)


async def _notion(u: Userinfo) -> Profile:
    owner = _at(u.raw, "bot", "owner", "user") or {}
    return Profile(
        _s(owner.get("id")),
        _s(owner.get("name")),
        "",
        _s(_at(owner, "person", "email")),
        _s(owner.get("avatar_url")),
    )


async def _trakt(u: Userinfo) -> Profile:
    user = u.raw.get("user") or {}
    return Profile(
        _s(_at(user, "ids", "uuid")),
        _s(user.get("name")),
        _s(user.get("username")),
        "",
        _s(_at(user, "images", "avatar", "full")),
    )


async def _patreon(u: Userinfo) -> Profile:
    data = u.raw.get("data") or {}
    attrs = data.get("attributes") or {}
    email = _s(attrs.get("email")) if attrs.get("is_email_verified") else ""
    return Profile(
        _s(data.get("id")),
        _s(attrs.get("full_name")),
        _s(attrs.get("vanity")),
        email,
        _s(attrs.get("image_url")),
    )


async def _mailcow(u: Userinfo) -> Profile:
    r = u.raw
    if r.get("active") != 1:
        raise UserError("the mailcow user is not active")
    username = _s(r.get("username")).split("@")[0]
    return Profile(_s(r.get("id")), _s(r.get("full_name")), username, _s(r.get("email")), "")


async def _vk(u: Userinfo) -> Profile:
    user = _at(u.raw, "response", 0)
    if not isinstance(user, dict):
        raise UserError("no VK user data")
    name = f"{_s(user.get('first_name'))} {_s(user.get('last_name'))}".strip()
    email = _s(u.token.get("email")) if u.token.get("email") is not None else ""
    return Profile(_id(user.get("id")), name, _s(user.get("screen_name")), email, _s(user.get("photo_max")))


async def _planningcenter(u: Userinfo) -> Profile:
    data = u.raw.get("data") or {}
    attrs = data.get("attributes") or {}
    if attrs.get("status") != "active":
        raise UserError("the Planning Center user is not active")
    return Profile(_s(data.get("id")), _s(attrs.get("name")), "", "", _s(attrs.get("avatar")))


async def _linear(u: Userinfo) -> Profile:
    viewer = _at(u.raw, "data", "viewer") or {}
    if not viewer.get("active"):
        raise UserError("the Linear user is not active")
    return Profile(
        _s(viewer.get("id")),
        _s(viewer.get("name")),
        _s(viewer.get("displayName")),
        _s(viewer.get("email")),
        _s(viewer.get("avatarUrl")),
    )


async def _monday(u: Userinfo) -> Profile:
    me = _at(u.raw, "data", "me") or {}
    if not me.get("enabled"):
        raise UserError("the monday.com user is not enabled")
    email = _s(me.get("email")) if me.get("is_verified") else ""
    return Profile(_s(me.get("id")), _s(me.get("name")), "", email, _s(me.get("photo_small")))


Mapper = Callable[[Userinfo], Awaitable[Profile]]

MAPPERS: dict[str, Mapper] = {
    "apple": _id_token_user,
    "google": _google,
    "microsoft": _microsoft,
    "yandex": _yandex,
    "facebook": _facebook,
    "instagram2": _instagram,
    "github": _github,
    "gitlab": _gitlab,
    "bitbucket": _bitbucket,
    "gitee": _gitee,
    "gitea": _gitea,
    "discord": _discord,
    "twitter": _twitter,
    "kakao": _kakao,
    "vk": _vk,
    "linear": _linear,
    "notion": _notion,
    "monday": _monday,
    "lark": _lark,
    "box": _box,
    "spotify": _spotify,
    "trakt": _trakt,
    "twitch": _twitch,
    "patreon": _patreon,
    "strava": _strava,
    "wakatime": _wakatime,
    "livechat": _livechat,
    "mailcow": _mailcow,
    "planningcenter": _planningcenter,
    "oidc": _id_token_user,
    "oidc2": _id_token_user,
    "oidc3": _id_token_user,
}
