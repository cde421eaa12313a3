"""First run: make the data folder belong to a unit, a device slot and its first admin."""
from __future__ import annotations

import socket

from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.ids import new_id
from weicha_desktop.core.lineage import FOLDER_KEY, new_folder_id
from weicha_desktop.core.numbering import SlotPlan, check_unit_code
from weicha_desktop.core.store import Actor, Store
from weicha_desktop.core.users import UserService, normalize_badge, validate_new_user


def initialize(store: Store, *, unit_code: str, unit_name: str, admin_name: str,
               admin_password: str, admin_badge: str, device_slot: int = 1,
               device_slots: int = 1) -> Actor:
    """Set up an empty data folder: its unit, this device (``devices``, meta ``device_id``)
    and the first administrator with their 警号 (``admin_badge``). Returns the admin, who is
    the author of the first entry."""
    if store.is_initialized():
        raise WeichaError(f"数据文件夹 {store.data_dir} 已经初始化过（单位 {store.meta('unit_name')}）。")
    check_unit_code(unit_code)
    if not (unit_name or "").strip():
        raise WeichaError("请填写单位名称。")
    plan = SlotPlan(device_slot, device_slots)
    validate_new_user(admin_name, "admin", admin_password, admin_badge)
    badge = normalize_badge(admin_badge)
    users = UserService(store)
    # The admin does not exist until this transaction commits: the entry names them anyway.
    with store.change(Actor(None, admin_name, "admin", admin_name)) as ch:
        admin = users.insert(ch, admin_name, "admin", admin_password, badge_no=badge,
                             unit_code=unit_code)
        ch.actor = admin
        device_id, folder_id = new_id(), new_folder_id()
        device_name = socket.gethostname()[:64]
        # this device, in the store (every audit entry names it) and in meta (kept in step:
        # the checkpoint finds its files by it)
        ch.conn.execute("INSERT INTO devices (id, name, created_at, this_device) VALUES (?, ?, ?, 1)",
                        (device_id, device_name, ch.now))
        ch.set_meta_items({
            "unit_code": unit_code, "unit_name": unit_name.strip(), "device_id": device_id,
            FOLDER_KEY: folder_id,
            "device_slot": str(plan.slot), "device_slots": str(plan.slots),
            "initialized_at": ch.now,
        })
        ch.log("system.init", "unit", unit_code,
               f"初始化：{unit_name.strip()}（{unit_code}），设备编号段 {plan.slot}/{plan.slots}，"
               f"管理员 {admin_name}（警号 {badge}）",
               {"unit_code": unit_code, "unit_name": unit_name.strip(), "device_id": device_id,
                "device_name": device_name, FOLDER_KEY: folder_id,
                "device_slot": plan.slot, "device_slots": plan.slots, "admin": admin_name,
                "admin_id": admin.id, "admin_badge": badge, "admin_state": ch.user_state(admin.id)})
    return admin
