"""The rule for new passwords (init, ``user add``, the first-run wizard, any future change of
password). Logging in never applies it: a user whose password predates the rule still gets in.

A new password has at least ``MIN_PASSWORD`` characters, does not contain the user name
(case-insensitively) and is not on the list of common passwords shipped in
``resources/passwords/common.txt``. The reason for a refusal is a Chinese sentence that says
what to change."""
from __future__ import annotations

from functools import lru_cache

from weicha_desktop.core.errors import WeichaError

MIN_PASSWORD = 8
COMMON_FILE = ("passwords", "common.txt")  # under resources/


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list, lower case (a missing file is a broken installation: it says so)."""
    from weicha_desktop.resources import resources_dir

    path = resources_dir().joinpath(*COMMON_FILE)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise WeichaError(f"找不到常用密码表 {path}（{e.strerror}）：程序安装不完整，请重新安装。") from None
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.lstrip().startswith("#"))


def password_problem(name: str, password: str) -> str | None:
    """Why ``password`` may not be ``name``'s new password (Chinese), or None if it may."""
    password = password or ""
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes from a terminal or environment variable
        return "密码含有无法识别的字符（编码错误），请只用键盘上能输入的字符。"
    if len(password) < MIN_PASSWORD:
        return f"密码至少 {MIN_PASSWORD} 位（现在 {len(password)} 位），请换一个更长的密码。"
    name = (name or "").strip()
    if name and name.casefold() in password.casefold():
        return f"密码不能包含用户名“{name}”，请换一个别人猜不到的密码。"
    if password.strip().lower() in common_passwords():
        return "这是常见密码（在常用密码表中），很容易被猜中，请换一个。"
    return None


def check_new_password(name: str, password: str) -> None:
    """Raise WeichaError with the reason when ``password`` breaks the rule."""
    problem = password_problem(name, password)
    if problem:
        raise WeichaError(problem)
