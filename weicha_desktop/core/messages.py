"""The checker's messages, in Chinese and English, without Qt.

A message is a ``Msg``: an id in ``CATALOG`` and its parameters. It *is* its Chinese text (a
``str``): the CLI, the work log, the exceptions and every ``==``/``in`` see the Chinese words
they always did. The window shows it in its own language with ``render(msg, "en")``
(gui/common/i18n.py knows which). Parameters are plain text (user data, numbers: shown as
they are), a ``Texts`` or a form's ``Label`` (zh/en: a field's name, a choice's words) or
another ``Msg`` (a name built of parts, the detail of a problem), in the same language.

The checker names the field of a problem as ``field.problem`` {name, what}: ``what`` alone is
what the form shows under the field (``detail``).

Adding a message: an id here with both texts (tests/test_messages_en.py checks that every id
has zh and en with the same placeholders, and that English has no Chinese characters)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

LOCALES = ("zh", "en")


class Texts(NamedTuple):
    """A catalog entry (or a parameter): the Chinese and the English."""

    zh: str
    en: str

    def text(self, locale: str = "zh") -> str:
        return self.en if locale == "en" else self.zh


_EXAMPLE = "2026-11-27T14:05:00+08:00"

CATALOG: Mapping[str, Texts] = MappingProxyType({
    # how a field is named: its label, a person's item, a row of a table, an option's text
    "field.problem": Texts("{name}：{what}", "{name}: {what}"),
    "name.field": Texts("{label}", "{label}"),
    "name.sub": Texts("{outer} {inner}", "{outer}, {inner}"),
    "name.row": Texts("{group} 第{n}行", "{group} row {n}"),
    "name.other": Texts("{name}（其他）", "{name} (other)"),
    "name.row_alone": Texts("第{n}行", "row {n}"),
    "name.other_alone": Texts("（其他）", "(other)"),
    "name.lat": Texts("纬度", "latitude"),
    "name.lon": Texts("经度", "longitude"),
    "name.alt": Texts("海拔", "altitude"),
    # the record and its values (core/forms/validate.py)
    "record.not_object": Texts("记录须为 JSON 对象", "The record must be a JSON object"),
    "value.unknown_field": Texts("未知字段“{key}”", "unknown field \"{key}\""),
    "value.required": Texts("必填", "required"),
    "value.other_required": Texts("选择“其他”时须注明", "\"Other\" is chosen: say what it is"),
    "value.other_unwanted": Texts("未选“其他”，不应填写其他说明",
                                  "\"Other\" is not chosen: leave its description empty"),
    "value.not_person": Texts("应为人员信息（对象）", "should be a person (an object)"),
    "value.id_mismatch": Texts("与身份证号不符（应为 {expected}）",
                               "does not match the ID number (should be {expected})"),
    "value.not_list": Texts("应为列表", "should be a list"),
    "value.not_object": Texts("应为对象", "should be an object"),
    "value.not_geopoint": Texts("应为坐标（lat、lon）", "should be coordinates (lat, lon)"),
    "value.missing": Texts("缺少", "missing"),
    "value.not_number": Texts("应为数值", "should be a number"),
    "value.out_of_range": Texts("应在 -{limit} 到 {limit} 之间", "should be between -{limit} and {limit}"),
    "value.not_text": Texts("应为文字", "should be text"),
    "value.too_long": Texts("不能超过 {limit} 个字（现为 {n} 个，开头是“{start}”）",
                            "at most {limit} characters (now {n}, beginning \"{start}\")"),
    "value.bad_chars": Texts("含无效字符（单独的代理码位），请重新输入",
                             "contains characters that cannot be stored (lone surrogates): type it again"),
    "value.too_short": Texts("至少 {n} 个字", "at least {n} characters"),
    "value.bad_format": Texts("格式不符", "wrong format"),
    "value.not_integer": Texts("应为整数", "should be a whole number"),
    "value.below_min": Texts("不能小于 {min}{unit}", "cannot be less than {min}{unit}"),
    "value.above_max": Texts("不能大于 {max}{unit}", "cannot be more than {max}{unit}"),
    "value.not_date": Texts("应为日期 YYYY-MM-DD", "should be a date YYYY-MM-DD"),
    "value.no_such_date": Texts("日期不存在：{value}", "no such date: {value}"),
    "value.not_datetime": Texts(f"应为日期时间，如 {_EXAMPLE}", f"should be a date and time, e.g. {_EXAMPLE}"),
    "value.no_offset": Texts(f"须带时区偏移，如 {_EXAMPLE}", f"needs its time zone offset, e.g. {_EXAMPLE}"),
    "value.no_such_datetime": Texts("日期时间不存在：{value}", "no such date and time: {value}"),
    "value.not_choice": Texts("应为一个选项", "should be one option"),
    "value.not_an_option": Texts("“{value}”不在可选项中", "\"{value}\" is not one of the options"),
    "value.not_choices": Texts("应为选项列表", "should be a list of options"),
    "value.repeated_option": Texts("选项重复", "an option is chosen twice"),
    "value.not_boolean": Texts("应为是/否", "should be yes or no"),
    "value.not_photo_ids": Texts("应为照片编号列表", "should be a list of photo ids"),
    "value.repeated_photo": Texts("照片重复", "a photo is listed twice"),
    "value.blank": Texts("空白“____”未填写（{where}）", "blank \"____\" not filled in ({where})"),
    "value.blank_n": Texts("第{i}处空白“____”未填写（{where}）",
                           "blank {i} \"____\" not filled in ({where})"),
    # named validators (core/forms/validators.py)
    "id.length": Texts("应为18位（现为{n}位）", "should have 18 characters (now {n})"),
    "id.digits": Texts("前17位须为数字", "the first 17 characters must be digits"),
    "id.lower_x": Texts("末位校验码须为大写 X", "the check character must be a capital X"),
    "id.last": Texts("末位须为数字或 X", "the last character must be a digit or X"),
    "id.bad_birth": Texts("出生日期（第7–14位）无效：{digits}",
                          "the birth date (characters 7–14) is not a date: {digits}"),
    "id.future_birth": Texts("出生日期（第7–14位）在未来：{digits}",
                             "the birth date (characters 7–14) is in the future: {digits}"),
    "id.old_birth": Texts("出生日期（第7–14位）早于1900年：{digits}，请核对号码",
                          "the birth date (characters 7–14) is before 1900: {digits}; check the number"),
    "id.region": Texts("前6位 {code} 不是有效的地区代码（没有代码为 {province} 的省级地区），请核对号码",
                       "the first 6 digits {code} are no region code (no province has the code {province}); "
                       "check the number"),
    "id.check": Texts("校验位不符（应为 {expected}）", "wrong check character (should be {expected})"),
    "plate.separators": Texts("号牌中不要加空格、“·”或横线", "no spaces, dots or hyphens in a plate number"),
    "text.capitals": Texts("字母须为大写", "letters must be capitals"),
    "plate.length": Texts("普通号牌7位、新能源号牌8位（现为{n}位）",
                          "7 characters, 8 on a new-energy plate (now {n})"),
    "plate.province": Texts("第1位须为省份简称（如 京、粤、桂）",
                            "the first character must be a province's one-character abbreviation"),
    "plate.letter": Texts("第2位须为发牌机关代号字母（A–Z，不含 I、O）",
                          "the second character must be the issuing office's letter (A–Z, not I or O)"),
    "plate.io": Texts("号牌中不使用字母 I、O", "plates do not use the letters I and O"),
    "plate.serial": Texts("号码须为5位字母或数字（“{suffixes}”字只能在末位）",
                          "the number must be 5 letters or digits (a suffix character only at the end)"),
    "plate.new_energy": Texts("新能源号牌第3位或末位须为 D 或 F，其余为数字（小型车第3位也可为 A、B、C、E、G、H、J、K，"
                              "第4位可为字母）",
                              "a new-energy plate has D or F as its 3rd or last character, digits elsewhere "
                              "(on a small vehicle's plate the 3rd may also be A, B, C, E, G, H, J or K, "
                              "the 4th a letter)"),
    "plate.embassy": Texts("使馆号牌为“使”加6位数字（如 使014578）",
                           "an embassy plate is the embassy character and 6 digits"),
    "tel.digits": Texts("电话号码只能含数字（固定电话区号后可加“-”）",
                        "a telephone number has digits only (a hyphen may follow a landline's area code)"),
    "tel.landline": Texts("固定电话须为 0 开头的区号加7–8位号码（如 0777-2821234）",
                          "a landline is an area code starting with 0 and 7–8 digits (e.g. 0777-2821234)"),
    "vin.length": Texts("应为17位（现为{n}位）", "should have 17 characters (now {n})"),
    "vin.iqo": Texts("不能含字母 I、O、Q", "cannot contain the letters I, O or Q"),
    "vin.chars": Texts("只能含数字和大写字母", "only digits and capital letters"),
    "vin.check": Texts("第9位校验位不符（应为 {expected}）",
                       "wrong check digit at position 9 (should be {expected})"),
    "phone.digits": Texts("只能含数字（11位手机号）", "digits only (an 11-digit mobile number)"),
    "phone.length": Texts("手机号应为11位（现为{n}位）", "a mobile number has 11 digits (now {n})"),
    "phone.prefix": Texts("手机号须以 13–19 开头", "a mobile number starts with 13–19"),
    # 采集 (core/collect): duplicates and links
    "collect.duplicate_person": Texts(
        "已有{key}为 {value} 的人员记录（{label}）：请打开该记录补充或修改；确属另一人时才另建。",
        "There is already a person with {key} {value} ({label}): open that record to add to it; "
        "create another only if it is a different person."),
    "collect.duplicate_vehicle": Texts(
        "已有{key}为 {value} 的车辆记录（{label}）：请打开该记录补充或修改；确属另一辆车时才另建。",
        "There is already a vehicle with {key} {value} ({label}): open that record to add to it; "
        "create another only if it is a different vehicle."),
    "collect.future_birth": Texts("{date} 晚于今天，请核对", "{date} is after today: check it"),
    "link.not_found": Texts("找不到记录“{key}”：请输入记录编号（如勘验号）、身份证号、号牌或记录 id。",
                            "No record \"{key}\": give a record number (such as a case number), an ID "
                            "number, a plate or a record id."),
    "link.not_collect": Texts("“{label}”不是人员、车辆或场所记录：关联从人员、车辆或场所记录出发。",
                              "\"{label}\" is not a person, vehicle or place: a link starts from one of those."),
    "link.self": Texts("记录不能与自身关联。", "A record cannot be linked to itself."),
    "link.role": Texts("关联身份“{role}”不可用；可选：{roles}。", "No role \"{role}\"; the roles: {roles}."),
    "link.role_kind": Texts("{kind}“{label}”不能作为“{role}”关联：“{role}”只用于{kinds}。请换一个关联身份。",
                            "The {kind} \"{label}\" cannot be linked as \"{role}\": that role is for {kinds} "
                            "only. Choose another role."),
    "link.exists": Texts("{one} 已作为“{role}”关联到 {other}，无需重复关联。",
                         "{one} is already linked to {other} as \"{role}\"."),
    "link.no_link": Texts("找不到关联“{key}”。", "No link \"{key}\"."),
    "link.removed": Texts("该关联已于 {at} 取消。", "That link was removed at {at}."),
    "link.reason": Texts("取消关联须写明原因。", "Say why the link is removed."),
    # the record as a whole (core/record_service.py): a form's rule, the photo log
    "form.rule": Texts("{text}", "{text}"),
    "record.readonly": Texts("由系统填写，不能修改", "filled in by the system: cannot be changed"),
    "record.number_issued": Texts("编号由系统生成，不能填写", "numbered by the system: cannot be typed in"),
    "record.number_twice": Texts("编号 {number} 重复：一个编号只属于一件物证",
                                 "number {number} is given twice: one number belongs to one item"),
    # the life cycle of a record (core/record_service.py) as the window may meet it
    "record.not_found": Texts("找不到{noun}“{key}”。", "There is no {noun} \"{key}\"."),
    "record.no_version": Texts("{noun}“{key}”没有第 {version} 版。",
                               "The {noun} \"{key}\" has no version {version}."),
    "record.locked": Texts("{noun} {number} 第 {version} 版已定稿，不能修改；如需更正请“补正”。",
                           "Version {version} of the {noun} {number} is finalized and cannot be changed: "
                           "amend it to correct it."),
    "record.journal_pending": Texts(
        "{noun} {number} 有尚未存入记录的编辑（自动保存），请先在表单中保存或放弃恢复，再定稿。",
        "The {noun} {number} has autosaved edits not yet in the record: save them in the form "
        "or discard them, then finalize."),
    "record.review_status": Texts("{noun} {number} 状态为“{status}”，只有已定稿的{noun}可以审核。",
                                  "The {noun} {number} is \"{status}\": only a finalized {noun} "
                                  "can be reviewed."),
    "record.return_comment": Texts("退回补正时请写明需要补正的内容。",
                                   "Say what needs correcting when you return it for correction."),
    "record.not_locked": Texts("{noun} {number} 尚未定稿，直接修改即可，无需补正。",
                               "The {noun} {number} is not finalized: edit it directly, no amendment needed."),
    "record.amend_reason": Texts("补正须写明原因。", "An amendment needs its reason."),
    "photos.unclassified": Texts(
        "第 {numbers} 号照片尚未分类：请在“照片”中选择分类（方位、概貌、重点部位、细目等）后再定稿",
        "Photos without a class (no. {numbers}): choose their class under Photos before finalizing"),
    # separation of duties (core/duties.py): why this user may not edit or review a record
    "duty.created": Texts("创建了该{noun}", "created this {noun}"),
    "duty.finalized": Texts("定稿过该{noun}", "finalized this {noun}"),
    "duty.edited": Texts("修改过该{noun}", "edited this {noun}"),
    "duty.photos": Texts("导入或改动过该{noun}的照片", "imported or changed photos of this {noun}"),
    "duty.named": Texts("在笔录中被列为{title}", "is named in it as {title}"),
    "duty.not_investigator": Texts(
        "{user} 不是{noun} {number} 的勘验人员（创建、修改过或在笔录中列名的人），"
        "不能修改或补正；请由本案勘验人员或审核人办理。",
        "{user} is not an investigator of {noun} {number} (who created, edited or is named in "
        "it): cannot edit or amend it. Ask one of its investigators or a reviewer."),
    "duty.not_reviewer": Texts("只有审核人可以审核{noun}，当前用户（{user}）无权审核。",
                               "Only a reviewer may review a {noun}: {user} may not."),
    "duty.took_part": Texts(
        "{user} {how}，不能审核自己参与的{noun} {number}（职责分离）；请由未参与本案的审核人审核。",
        "{user} {how}: nobody reviews a {noun} they took part in ({number}). "
        "Ask a reviewer who did not take part."),
    "duty.copy": Texts(
        "{noun} {number} 是从同步服务器取得的副本（由另一台设备录入），本机只能查看和审核，不能修改、补正或改动照片；"
        "请由录入它的设备办理。",
        "{noun} {number} is a copy from the sync server (captured on another device): here it can be "
        "read and reviewed, not edited, amended or given photos. Use the device that captured it."),
    # 核查 (core/checks): input that is no ID number or plate, images, the lists held
    "check.kind_person": Texts("人员", "person"),
    "check.kind_vehicle": Texts("车辆", "vehicle"),
    "check.empty": Texts("没有输入要核查的号码。", "No number to check was given."),
    "check.too_long": Texts("输入过长（{n} 个字符）：请只输入一个身份证号或号牌。",
                            "The input is too long ({n} characters): give one ID number or plate."),
    "check.control": Texts("输入中有控制字符：请重新输入或扫描。",
                           "The input holds control characters: type or scan it again."),
    "check.bad_id": Texts("身份证号 {value} 有误：{problem}。请核对后重新输入。",
                          "The ID number {value} is wrong: {problem}. Check it and type it again."),
    "check.bad_plate": Texts("号牌 {value} 有误：{problem}。请核对后重新输入。",
                             "The plate {value} is wrong: {problem}. Check it and type it again."),
    "check.bad_kind": Texts("核查类型 {kind} 不认识：只能核查人员（身份证号）或车辆（号牌）。",
                            "Unknown kind of check {kind}: a person (ID number) or a vehicle (plate)."),
    "check.unreadable": Texts("“{text}”不是有效的身份证号或号牌：请核对后重新输入；指明是身份证号还是号牌"
                              "（窗口中在左侧选择，命令行用 --id-card / --plate）可看到具体错误。",
                              "\"{text}\" is no valid ID number or plate: check it and type it again; say which "
                              "it is (the list on the left, or --id-card / --plate) to see what is wrong."),
    "check.image_large": Texts("图片 {name} 过大（{size}）：请裁剪到条码附近后再试。",
                               "The image {name} is too large ({size}): crop it to the code and try again."),
    "check.image_missing": Texts("找不到图片文件 {path}。", "There is no image file {path}."),
    "check.image_bad": Texts("文件 {name} 不是可识别的图片：请换一张 JPEG 或 PNG 图片。",
                             "{name} is not an image this program reads: use a JPEG or PNG image."),
    "check.image_unreadable": Texts("无法读取图片 {name}（{reason}）。",
                                    "The image {name} cannot be read ({reason})."),
    "check.image_no_code": Texts("图片 {name} 中没有识别出二维码或条码：请拍得更清楚、更近一些后再试，或手工输入号码。",
                                 "No QR code or barcode was found in {name}: take it sharper and closer, "
                                 "or type the number."),
    "check.no_lists": Texts("本机没有{kind}核查名单：未命中不代表对象无问题。请同步或导入名单后再核查。",
                            "There is no {kind} watch list on this computer: a miss does not clear anyone. "
                            "Sync or import the lists, then check again."),
    "check.undated": Texts("名单“{name}”没有日期，不知是否过期。",
                           "The list \"{name}\" has no date: it may be out of date."),
    "check.stale": Texts("名单“{name}”已 {days} 天未更新（超过 {limit} 天）：请尽快同步或导入新版。",
                         "The list \"{name}\" was last updated {days} days ago (more than {limit}): "
                         "sync or import a new version soon."),
    "check.server_person": Texts("上级下发名单（人员）", "Lists from headquarters (persons)"),
    "check.server_vehicle": Texts("上级下发名单（车辆）", "Lists from headquarters (vehicles)"),
    "check.do_stolen_vehicle": Texts(
        "注意自身安全，先控制车辆和驾驶人；核对车辆识别代号（VIN）和发动机号，立即报告指挥中心，"
        "并联系名单发布单位确认后依法处置。",
        "Mind your own safety; secure the vehicle and its driver first; check the VIN and the engine "
        "number, report to the command centre at once and act as the law says once the list's issuer confirms."),
    "check.do_fugitive": Texts(
        "注意自身安全，不要惊动对方；立即报告指挥中心请求支援，在确保安全的前提下依法控制，并联系名单发布单位核实。",
        "Mind your own safety and do not alert the person; report to the command centre at once and ask "
        "for support; detain them lawfully only when it is safe, and confirm with the list's issuer."),
    "check.do_missing": Texts(
        "核实其身份并确保其安全，询问情况、做好安抚；报告指挥中心，通知名单发布单位和家属。",
        "Confirm who they are and keep them safe, ask what happened and reassure them; report to the "
        "command centre and tell the list's issuer and the family."),
    "check.do_person": Texts(
        "核实身份，不要惊动对方；立即报告指挥中心，按名单发布单位的要求依法处置。",
        "Confirm the identity without alerting the person; report to the command centre at once and act "
        "lawfully as the list's issuer asks."),
    "check.do_vehicle": Texts(
        "核对号牌与车辆识别代号，控制车辆；立即报告指挥中心，按名单发布单位的要求依法处置。",
        "Check the plate against the VIN and secure the vehicle; report to the command centre at once "
        "and act lawfully as the list's issuer asks."),
    # 核查's watch-list import (core/checks/lists.py): a file refused, its bad rows, its progress
    "watchlist.utf16": Texts("文件 {file} 是 UTF-16 编码：请在表格程序中另存为“CSV UTF-8”或 GBK 后再导入。",
                             "The file {file} is UTF-16: save it from the spreadsheet program as \"CSV UTF-8\" "
                             "or GBK, then import it again."),
    "watchlist.bad_utf8": Texts("文件 {file} 标明是 UTF-8，但第 {line} 行不是 UTF-8：请检查文件后再导入。",
                                "The file {file} says it is UTF-8, but line {line} is not: check the file, "
                                "then import it again."),
    "watchlist.bad_encoding": Texts("文件 {file} 既不是 UTF-8 也不是 GBK 编码（第 {line} 行）：请另存为 UTF-8 后再导入。",
                                    "The file {file} is neither UTF-8 nor GBK (line {line}): save it as UTF-8, "
                                    "then import it again."),
    "watchlist.too_large": Texts("文件 {file} 过大（超过 {mb} MB）。",
                                 "The file {file} is too large (over {mb} MB): import it as several lists."),
    "watchlist.unreadable": Texts("无法读取文件 {path}（{why}）：请检查路径和权限。",
                                  "Cannot read the file {path} ({why}): check the path and the permissions."),
    "watchlist.first_line_csv": Texts("文件 {file} 第 1 行无法按 CSV 读取（{why}）。",
                                      "Line 1 of the file {file} cannot be read as CSV ({why})."),
    "watchlist.no_key_column": Texts(
        "文件 {file} 的第一行须为列名，且有“{id_column}”或“{plate_column}”列（例如：{example}）。现在的第一行：{header}",
        "The first line of the file {file} must name the columns, one of them \"{id_column}\" (ID number) or "
        "\"{plate_column}\" (plate), for example: {example}. Its first line now: {header}"),
    "watchlist.kind_unknown": Texts("从列名“{column}”看不出是人员还是车辆名单：请加 --kind person 或 --kind vehicle。",
                                    "The column \"{column}\" does not say whether this is a list of persons or of "
                                    "vehicles: choose the kind (--kind person or --kind vehicle)."),
    "watchlist.column_kind": Texts("列“{column}”是{column_kind}名单的列，这份名单是{kind}名单：请检查文件，或换一个名单名称。",
                                   "The column \"{column}\" is one of a list of {column_kind}, and this list is a "
                                   "list of {kind}: check the file, or choose another list name."),
    "watchlist.line_csv": Texts("文件 {file} 第 {line} 行无法按 CSV 读取（{why}）：请改正后再导入。",
                                "Line {line} of the file {file} cannot be read as CSV ({why}): correct it, "
                                "then import it again."),
    "watchlist.too_many": Texts("一份名单最多 {n} 条：请分成几份名单导入。",
                                "A list holds at most {n} entries: import it as several lists."),
    "watchlist.bad_name": Texts("名单名称须为 1–40 个字，不能含控制字符（例如 --list {example}）。",
                                "A list's name is 1 to 40 characters, without control characters "
                                "(for example --list {example})."),
    "watchlist.server_name": Texts("“{name}”是上级下发名单的名称，请换一个名称。",
                                   "\"{name}\" is the name of the lists from headquarters: choose another name."),
    "watchlist.bad_instruction": Texts("处置要求最多 500 个字，不能含控制字符。",
                                       "The instruction is at most 500 characters, without control characters."),
    "watchlist.kind_held": Texts("名单“{name}”已有，是{held}名单，这个文件是{kind}名单：请换一个名单名称。",
                                 "The list \"{name}\" exists and is a list of {held}; this file is a list of "
                                 "{kind}: choose another list name."),
    "watchlist.kind_named": Texts("名单“{name}”是{listed}名单（按{key}核查），这个文件是{kind}名单：请换成按{key}"
                                  "列出的文件，或给这份名单另起一个名称。",
                                  "The list \"{name}\" is a list of {listed} (checked by {key}); this file is a "
                                  "list of {kind}: import a file listing {key}s, or give this list another name."),
    "watchlist.bad_rows": Texts("文件 {file} 有 {n} 行有误，未导入任何条目（改正后重新导入，或加 --skip-bad 只导入无误的行）：\n{rows}",
                                "{n} lines of the file {file} are wrong and nothing was imported (correct them and "
                                "import it again, or add --skip-bad to import only the good lines):\n{rows}"),
    "watchlist.bad_rows_gui": Texts("文件 {file} 有 {n} 行有误，未导入任何条目：改正后重新导入，或选“{skip}”只导入无误的行。",
                                    "{n} lines of the file {file} are wrong and nothing was imported: correct them "
                                    "and import it again, or tick \"{skip}\" to import only the good lines."),
    "watchlist.nothing": Texts("文件 {file} 中没有可导入的条目。", "The file {file} holds no entries to import."),
    "watchlist.bad_version": Texts("版本最多 40 个字，不能含控制字符。",
                                   "A version is at most 40 characters, without control characters."),
    "watchlist.bad_date": Texts("名单日期“{text}”不是 YYYY-MM-DD 格式的日期。",
                                "The list's date \"{text}\" is not a date written YYYY-MM-DD."),
    "watchlist.future_date": Texts("名单日期 {date} 在今天（{today}）之后：请核对。",
                                   "The list's date {date} is after today ({today}): check it."),
    "watchlist.no_key": Texts("缺少{what}。", "The {what} is missing."),
    "watchlist.too_many_cells": Texts("有 {n} 列，比列名（{m} 列）多：可能少了引号。",
                                      "{n} columns, more than the {m} named: a quotation mark may be missing."),
    "watchlist.long_cells": Texts("姓名最多 64 个字、原因最多 500 个字，且不能含控制字符。",
                                  "A name is at most 64 characters and a reason at most 500, without control "
                                  "characters."),
    "watchlist.long_extra": Texts("其他列每格最多 500 个字，且不能含控制字符。",
                                  "Each cell of the other columns is at most 500 characters, without control "
                                  "characters."),
    "watchlist.repeat": Texts("{what} {key} 与第 {line} 行重复。", "The {what} {key} repeats line {line}."),
    "watchlist.row": Texts("第 {line} 行：{why}", "Line {line}: {why}"),
    "watchlist.more_rows": Texts("……另有 {n} 行有误", "… and {n} more wrong lines"),
    "watchlist.reading": Texts("已读取并检查 {n} 行…", "{n} lines read and checked…"),
    "watchlist.writing": Texts("正在写入 {n} 条…", "Writing {n} entries…"),
    "watchlist.persons": Texts("人员", "persons"),
    "watchlist.vehicles": Texts("车辆", "vehicles"),
    "watchlist.id_number": Texts("身份证号", "ID number"),
    "watchlist.plate": Texts("号牌", "plate"),
    # USB bundles (core/bundle/keys.py): the CLI's words, and the window's (``*_gui``: no command names)
    "bundle.not_enrolled": Texts(
        "本机尚未登记到同步服务器，不能使用数据包：请先登记本机（weicha enroll --server … --code …，"
        "或离线登记：weicha enroll --request -o 申请.wcq）。",
        "This computer is not enrolled with a sync server and cannot use bundles: enroll it first "
        "(weicha enroll --server … --code …, or offline: weicha enroll --request -o request.wcq)."),
    "bundle.not_enrolled_gui": Texts(
        "本机尚未登记到同步服务器，不能使用数据包。请管理员打开“同步”页（点状态栏的同步项）办理登记："
        "联网登记，或“写出登记申请…”离线登记。",
        "This computer is not enrolled with a sync server and cannot use bundles. Ask an administrator to "
        "open the Sync page (click the sync item of the status bar) and enroll it: over the network, or "
        "offline with “Write enrollment request…”."),
    "bundle.no_keys": Texts(
        "本机还没有同步服务器的数据包公钥（本机登记得较早）：请联网运行一次 weicha sync 取得，"
        "或请管理员重新为本机办理离线登记。",
        "This computer does not have the sync server's bundle keys yet (it was enrolled earlier): run "
        "weicha sync once online to get them, or ask an administrator to enroll it again offline."),
    "bundle.no_keys_gui": Texts(
        "本机还没有同步服务器的数据包公钥（本机登记得较早）。请联网同步一次（“同步”页 → 立即同步）取得，"
        "或请管理员为本机重新办理离线登记。",
        "This computer does not have the sync server's bundle keys yet (it was enrolled earlier). Sync "
        "once online (Sync page → Sync now) to get them, or ask an administrator to enroll it again offline."),
})
# the word for a kind of record in a message (RecordService.noun) in English
NOUNS_EN: Mapping[str, str] = MappingProxyType({"勘验": "case", "人员信息": "person record",
                                                "车辆信息": "vehicle record", "场所信息": "place record"})
# units of the forms' fields (``unit:``) as an English message writes them after a number
UNITS_EN: Mapping[str, str] = MappingProxyType({"人": " people", "张": " sheets", "分钟": " min",
                                                "米": " m"})
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class Msg(str):
    """A message: its Chinese text, plus ``id`` and ``params`` for other languages."""

    id: str
    params: Mapping[str, Any]

    def __new__(cls, msg_id: str, /, **params: Any) -> Msg:
        self = super().__new__(cls, _fill(CATALOG[msg_id].zh, params, "zh"))
        self.id, self.params = msg_id, MappingProxyType(params)
        return self

    def __reduce__(self):  # pickle and copy rebuild it from its id and parameters
        return (_rebuild, (self.id, dict(self.params)))


def _rebuild(msg_id: str, params: dict[str, Any]) -> Msg:
    return Msg(msg_id, **params)


def render(message: Any, locale: str = "zh") -> str:
    """``message`` in ``locale`` (zh or en): a ``Msg`` from its catalog entry, a ``Texts`` or
    a form's ``Label`` in its words (a Label without English: its Chinese), an error raised
    with a ``Msg`` as that message (``str(error)`` would be its Chinese), anything else as its
    text."""
    if isinstance(message, BaseException) and len(message.args) == 1 and isinstance(message.args[0], Msg):
        message = message.args[0]
    if isinstance(message, Msg):
        return _fill(CATALOG[message.id].text(locale), message.params, locale)
    words = getattr(message, "text", None)  # a Texts, or a form's Label (zh/en)
    if callable(words) and not isinstance(message, str):
        return words(locale)
    return "" if message is None else str(message)


def _fill(template: str, params: Mapping[str, Any], locale: str) -> str:
    # by hand, not str.format: a parameter's text is never read as a template
    return _PLACEHOLDER.sub(lambda m: render(params[m.group(1)], locale), template)


def detail(message: Any) -> Any:
    """A problem as shown under its field: without the field's own label (``第1行 身份证号：
    校验位不符`` under 见证人), the message as it is when it names no field."""
    if not (isinstance(message, Msg) and message.id == "field.problem"):
        return message
    rest = _without_root(message.params["name"])
    what = message.params["what"]
    return what if rest is None else field_problem(rest, what)


def _without_root(name: Any) -> Any:
    """A field's name without its outermost label: None when nothing else is left."""
    if not isinstance(name, Msg) or name.id == "name.field":
        return None
    p = name.params
    if name.id == "name.sub":
        outer = _without_root(p["outer"])
        return p["inner"] if outer is None else Msg("name.sub", outer=outer, inner=p["inner"])
    if name.id == "name.row":
        group = _without_root(p["group"])
        return Msg("name.row_alone", n=p["n"]) if group is None else Msg("name.row", group=group, n=p["n"])
    if name.id == "name.other":
        inner = _without_root(p["name"])
        return Msg("name.other_alone") if inner is None else Msg("name.other", name=inner)
    return name


def field_problem(name: Any, what: Any) -> Msg:
    """``见证人 第1行 身份证号：校验位不符（应为 X）`` — a field's name and what is wrong."""
    return Msg("field.problem", name=name, what=what)


def noun_texts(noun: str) -> Texts:
    """The word for a kind of record (勘验) in both languages, as a message's parameter."""
    return Texts(noun, NOUNS_EN.get(noun, "record"))


def unit_label(unit: str | None) -> Texts:
    """A field's unit after a number in a message: ℃ and % as they are, 张 as " sheets"."""
    unit = unit or ""
    return Texts(unit, UNITS_EN.get(unit, unit))


def placeholders(template: str) -> set[str]:
    return set(_PLACEHOLDER.findall(template))
