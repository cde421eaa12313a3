"""The cases `make screenshots` shows, made in a demo data folder (never real data): writes
``<folder>/shots.env``, lines ``NAME=value`` the Makefile reads:

    PHOTO_CASE, PHOTO_USER    a draft given the eight sample photos (tools/sample_photos.py),
                              shown as its investigator: the photo log and the register
    REVIEW_CASE               a finalized case with the sample photos, for the review page
    RETURNED_CASE, RETURNED_USER
                              a case returned with a comment about one section (参加人员),
                              shown as its investigator: the form opens at that section

    .venv/bin/python tools/screenshot_cases.py --data-dir build/shots"""
from __future__ import annotations

import argparse
import contextlib
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import sample_photos  # noqa: E402  (tools/, beside this file)

from weicha_desktop.core.cases import CaseService  # noqa: E402
from weicha_desktop.core.forms import FormRegistry  # noqa: E402
from weicha_desktop.core.store import Store  # noqa: E402
from weicha_desktop.core.users import UserService  # noqa: E402
from weicha_desktop.resources import forms_dir  # noqa: E402

REVIEWER = "周建国"  # the demo's supervisor
RETURN_COMMENT = "见证人的身份证号码与住址请核对后补充完整。"
RETURN_SECTION = "people"


def with_photos(folder: Path, case: str | None = None) -> str:
    """sample_photos on ``case`` (None: the draft it picks); the case number."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        sample_photos.main(["--data-dir", str(folder)] + (["--case", case] if case else []))
    return out.getvalue().split()[-1]


def creator(store: Store, number: str):
    user_id = store.conn.execute("SELECT created_by FROM records WHERE number = ?", (number,)).fetchone()[0]
    return next(u for u in UserService(store).list() if u.id == user_id)


def investigator(store: Store, forms: FormRegistry, number: str) -> str:
    """A technician who may edit the case (one of its investigators): whom to show it as."""
    for user in UserService(store).list():
        cases = CaseService(store, forms, user)
        if user.role == "technician" and cases.edit_refusal(cases.get(number)) is None:
            return user.name
    return creator(store, number).name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    folder = parser.parse_args(argv).data_dir
    forms = FormRegistry(forms_dir())
    photo_case = with_photos(folder)
    with Store.open(folder) as store:
        admin = next(u for u in UserService(store).list() if u.role == "admin")
        returned = [r["number"] for r in CaseService(store, forms, admin).list(status="returned", limit=1)]
    review_case = with_photos(folder, returned[0])  # a returned draft: complete, corrected
    with Store.open(folder) as store:
        author = creator(store, review_case)
        CaseService(store, forms, author).finalize(review_case)
        boss = CaseService(store, forms, UserService(store).get(REVIEWER))
        candidates = [r["number"] for r in boss.list(status="finalized", limit=50) if r["number"] != review_case]
        target = next(n for n in candidates if boss.review_refusal(boss.get(n)) is None)
        boss.review(target, approve=False, comment=RETURN_COMMENT, section=RETURN_SECTION)
        lines = {"PHOTO_CASE": photo_case, "PHOTO_USER": investigator(store, forms, photo_case),
                 "REVIEW_CASE": review_case,
                 "RETURNED_CASE": target, "RETURNED_USER": investigator(store, forms, target)}
    (folder / "shots.env").write_text("".join(f"{k}={v}\n" for k, v in lines.items()), encoding="utf-8")
    print("\n".join(f"{k}={v}" for k, v in lines.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
