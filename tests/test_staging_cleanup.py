"""Leftovers of a crash (issue 8): staging folders, thumbnail and report temp files go the
next time the data folder is opened — not a day later — and never an original, never the
folder of a batch this program is still running."""
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.media.blobs import BlobStore
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.store import Store
from weicha_desktop.core.users import UserService

from tests.media_support import make_photo
from tests.support import PASSWORD, new_store
from tests.support import forms as shipped_forms


def _leftovers(folder):
    """What a kill -9 in the middle of an import, a working copy, a thumbnail and a report
    leaves behind (all fresh: minutes old, not days)."""
    staging = folder / "blobs" / ".staging"
    made = [staging / "tmpk2j3_old" / "tmpa.part",                       # an older version's
            staging / "0190aaaa-dead" / "tmpb.part", staging / "0190aaaa-dead.lock",  # a batch's
            folder / "blobs" / "tmpc.part",                                # copied outside a batch
            folder / "cache" / "thumbs" / ".tmp" / f"{'ab' * 32}-320.jpg.4242.tmp",
            folder / "cache" / "tmp" / "0190bbbb-dead" / "0.jpg", folder / "cache" / "tmp" / "0190bbbb-dead.lock",
            folder / "cache" / "backup" / "0190cccc-dead" / "copy.db",   # a backup's database copy
            folder / "cache" / "backup" / "0190cccc-dead.lock",
            folder / "cache" / "backup" / "4242-tmpx1y2.db"]              # an older version's
    for path in made:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")
    return made


def test_leftovers_of_a_crash_go_when_the_folder_is_next_opened_originals_stay(tmp_path):
    store = new_store(tmp_path / "d")
    actor = UserService(store).authenticate("admin", PASSWORD)
    case = CaseService(store, shipped_forms(), actor).new_case()
    photos = PhotoService(store, actor, shipped_forms())
    src = make_photo(tmp_path / "a.jpg")
    photos.import_files(case.id, [src])
    photo = photos.list(case.id)[0]
    orphan = store.blobs_dir / ("cd" * 32)[:2] / ("cd" * 32)  # an original no row names
    orphan.parent.mkdir()
    orphan.write_bytes(b"evidence nobody registered")
    store.close()
    made = _leftovers(tmp_path / "d")
    Store.open(tmp_path / "d", readonly=True).close()  # verify's way in: removes nothing
    assert all(p.exists() for p in made)

    Store.open(tmp_path / "d").close()
    assert [p for p in made if p.exists()] == []
    assert not any((tmp_path / "d" / "blobs" / ".staging").iterdir())
    assert not any((tmp_path / "d" / "cache" / "tmp").iterdir())
    assert not any((tmp_path / "d" / "cache" / "backup").iterdir())
    assert photos.original_path(photo).read_bytes() == src.read_bytes()
    assert orphan.read_bytes() == b"evidence nobody registered"
    assert photos.thumbnail(photo).is_file()


def test_a_batch_still_running_in_this_process_keeps_its_folder(tmp_path):
    """The folder lock rules out another program; a batch of this same program (a window's
    import on its own connection) is held by its own lock and survives a sweep."""
    new_store(tmp_path / "d").close()
    with BlobStore(tmp_path / "d" / "blobs").staging() as running:
        (running / "copy.part").write_bytes(b"in progress")
        Store.open(tmp_path / "d").close()
        assert (running / "copy.part").read_bytes() == b"in progress"
    assert not running.exists()
    assert not any((tmp_path / "d" / "blobs" / ".staging").iterdir())


def test_an_import_running_while_leftovers_are_cleared_keeps_its_copies(tmp_path):
    from weicha_desktop.core.media.staging import clean_leftovers

    store = new_store(tmp_path / "d")
    actor = UserService(store).authenticate("admin", PASSWORD)
    case = CaseService(store, shipped_forms(), actor).new_case()
    files = [make_photo(tmp_path / f"p{i}.jpg", seed=i * 17) for i in range(6)]
    swept = []
    results = PhotoService(store, actor, shipped_forms()).import_files(
        case.id, files, workers=1,
        progress=lambda done, total, r: swept.append(clean_leftovers(store.data_dir)) if done == 1 else None)
    assert swept == [0]
    assert [r.status for r in results] == ["imported"] * 6, [r.reason for r in results]
    store.close()
