<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>AdminPage</name>
    <message>
        <source>管理员账号</source>
        <translation>Administrator account</translation>
    </message>
    <message>
        <source>第一位用户是管理员，之后由其添加勘验员和审核人。</source>
        <translation>The first user is the administrator, who then adds technicians and reviewers.</translation>
    </message>
    <message>
        <source>2–32 个字符：汉字、字母、数字</source>
        <translation>2–32 characters: Chinese characters, letters, digits</translation>
    </message>
    <message>
        <source>例如 123456</source>
        <translation>e.g. 123456</translation>
    </message>
    <message>
        <source>至少 {n} 位，不含用户名，不用常见密码</source>
        <translation>At least {n} characters, not containing the user name, not a common password</translation>
    </message>
    <message>
        <source>警号：</source>
        <translation>Badge no.:</translation>
    </message>
    <message>
        <source>本人的警号（4–12 位数字或字母），本单位内唯一，设定后不能更改：在各台电脑和服务器上，勘验记录都凭警号认出同一个人。</source>
        <translation>Your police badge number (4–12 digits or letters), unique in the unit and fixed once set: on every computer and on the server, records know the same person by it.</translation>
    </message>
    <message>
        <source>密码至少 {n} 位，不能包含用户名，也不能是 12345678、password 这类常见密码。请牢记密码：本程序离线运行，忘记后无法找回。</source>
        <translation>The password needs at least {n} characters, must not contain the user name and must not be a common password such as 12345678 or password. Remember it: this program works offline, a forgotten password cannot be recovered.</translation>
    </message>
    <message>
        <source>用户名：</source>
        <translation>User name:</translation>
    </message>
    <message>
        <source>密码：</source>
        <translation>Password:</translation>
    </message>
    <message>
        <source>再输入一次：</source>
        <translation>Repeat password:</translation>
    </message>
    <message>
        <source>两次输入的密码不一致。</source>
        <translation>The two passwords do not match.</translation>
    </message>
</context>
<context>
    <name>AmendDialog</name>
    <message>
        <source>补正</source>
        <translation>Amend</translation>
    </message>
    <message>
        <source>勘验 {number} 第 {version} 版已定稿，不能直接修改。补正将生成第 {next} 版草稿，原版本保持不变。请写明补正原因：</source>
        <translation>Case {number}, version {version} is finalized and cannot be edited. Amending creates a draft version {next}; the original version stays unchanged. State the reason for the amendment:</translation>
    </message>
    <message>
        <source>例如：发案地点门牌号有误</source>
        <translation>e.g. wrong house number in the incident address</translation>
    </message>
    <message>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>另一个微察窗口已经打开了这个数据文件夹。
同一个数据文件夹同一时间只能由一个窗口使用，以免两处同时写入损坏记录。
请切换到已打开的那个窗口，或先关闭它再重新启动本程序。</source>
        <translation>Another WeiCha window already has this data folder open.
A data folder can be used by only one window at a time, so that two writers cannot damage the records.
Switch to the window that is open, or close it and start this program again.</translation>
    </message>
    <message>
        <source>微察桌面版</source>
        <translation>WeiCha Desktop</translation>
    </message>
    <message>
        <source>微察桌面版 — 数据文件夹已被占用</source>
        <translation>WeiCha Desktop — Data folder in use</translation>
    </message>
    <message>
        <source>无法打开数据文件夹 {folder}：
{error}</source>
        <translation>Cannot open the data folder {folder}:
{error}</translation>
    </message>
    <message>
        <source>表单定义有误，程序无法继续：
{error}

请重新安装本软件。</source>
        <translation>The form definitions are faulty; the program cannot continue:
{error}

Please reinstall the application.</translation>
    </message>
</context>
<context>
    <name>BackgroundOp</name>
    <message>
        <source>微察桌面版</source>
        <translation>WeiCha Desktop</translation>
    </message>
    <message>
        <source>已取消。</source>
        <translation>Cancelled.</translation>
    </message>
    <message>
        <source>程序内部出错（{kind}），操作未完成。详情已写入程序日志；如再次出现，请把日志交给技术支持。</source>
        <translation>Internal error ({kind}); the operation did not complete. The details are in the program log; if it happens again, please give the log to technical support.</translation>
    </message>
</context>
<context>
    <name>BackupDialog</name>
    <message>
        <source>备份</source>
        <translation>Backup</translation>
    </message>
    <message>
        <source>把全部勘验记录、工作日志和原始照片写入一个备份文件，写完后逐项核对。请备份到移动硬盘或 U 盘，并与笔记本分开保管。备份时可以继续工作。</source>
        <translation>Writes every case record, the work log and the original photos into one backup file and checks each item afterwards. Back up to an external disk or USB stick and keep it apart from the laptop. You can keep working during the backup.</translation>
    </message>
    <message>
        <source>选择…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source>备份文件</source>
        <translation>Backup file</translation>
    </message>
    <message>
        <source>恢复备份：在命令行运行 weicha restore 备份文件 --data-dir 新的数据文件夹</source>
        <translation>To restore a backup, run on the command line: weicha restore BACKUP_FILE --data-dir NEW_DATA_FOLDER</translation>
    </message>
    <message>
        <source>开始备份</source>
        <translation>Start backup</translation>
    </message>
    <message>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>上次备份：尚未备份过</source>
        <translation>Last backup: never</translation>
    </message>
    <message numerus="yes">
        <source>上次备份：{when}（%n 天前）</source>
        <translation>
            <numerusform>Last backup: {when} (%n day ago)</numerusform>
            <numerusform>Last backup: {when} (%n days ago)</numerusform>
        </translation>
    </message>
    <message>
        <source>备份到</source>
        <translation>Back up to</translation>
    </message>
    <message>
        <source>微察备份 (*{suffix})</source>
        <translation>WeiCha backup (*{suffix})</translation>
    </message>
    <message>
        <source>请给出备份文件的位置和名字。</source>
        <translation>Please give the location and name of the backup file.</translation>
    </message>
    <message>
        <source>{path} 已经存在。用新的备份替换它吗？</source>
        <translation>{path} already exists. Replace it with the new backup?</translation>
    </message>
    <message>
        <source>正在备份…</source>
        <translation>Backing up…</translation>
    </message>
    <message>
        <source>已备份到 {path}：{size:.1f} MB，原始照片 {n} 张，已逐项核对。</source>
        <translation>Backed up to {path}: {size:.1f} MB, {n} original photos, every item checked.</translation>
    </message>
    <message>
        <source>但有 {n} 张原始照片有问题：</source>
        <translation>but {n} original photos have problems:</translation>
    </message>
    <message>
        <source>已取消，没有写入备份文件。</source>
        <translation>Cancelled; no backup file was written.</translation>
    </message>
</context>
<context>
    <name>BundleActions</name>
    <message>
        <source>导出数据包(&amp;E)…</source>
        <translation>&amp;Export bundle…</translation>
    </message>
    <message>
        <source>把待同步的操作、工作日志和照片原图写到 U 盘，带到服务器导入</source>
        <translation>Write the operations waiting to sync, the work log and the original photos to a USB stick, to be imported on the server</translation>
    </message>
    <message>
        <source>导入回执(&amp;R)…</source>
        <translation>Import &amp;receipt…</translation>
    </message>
    <message>
        <source>导入服务器导入数据包后写出的回执（.wcr）</source>
        <translation>Import the receipt (.wcr) the server wrote when it imported a bundle</translation>
    </message>
    <message>
        <source>导入基础数据(&amp;I)…</source>
        <translation>&amp;Import reference data…</translation>
    </message>
    <message>
        <source>导入服务器导出的基础数据包（.wcref）：用户、表单、代码表、核查名单</source>
        <translation>Import a reference bundle (.wcref) exported by the server: users, forms, code tables, watch lists</translation>
    </message>
    <message>
        <source>U 盘数据包</source>
        <translation>USB bundles</translation>
    </message>
    <message>
        <source>U 盘上有第 {version} 版基础数据（{file}），本机现有第 {held} 版。</source>
        <translation>The USB stick holds reference data version {version} ({file}); this computer has version {held}.</translation>
    </message>
    <message>
        <source>导入第 {version} 版基础数据…</source>
        <translation>Import reference data version {version}…</translation>
    </message>
    <message>
        <source>导入回执</source>
        <translation>Import receipt</translation>
    </message>
    <message>
        <source>服务器回执 (*.wcr)</source>
        <translation>Server receipts (*.wcr)</translation>
    </message>
    <message>
        <source>回执 {file} 未导入：{reason}</source>
        <translation>Receipt {file} not imported: {reason}</translation>
    </message>
    <message>
        <source>回执 {file} 较旧（确认到第 {through} 项），本机已确认得更多：没有改动。</source>
        <translation>Receipt {file} is older (it acknowledges up to operation {through}) than what this computer holds acknowledged: nothing changed.</translation>
    </message>
    <message>
        <source>已导入回执 {file}：服务器确认到本机第 {through} 项同步操作，本次确认 {ack} 项，拒收 {rejected} 项。</source>
        <translation>Imported receipt {file}: the server holds this computer&apos;s operations up to {through}; {ack} acknowledged now, {rejected} refused.</translation>
    </message>
    <message>
        <source>服务器拒收第 {seq} 项操作：{reason}</source>
        <translation>The server refused operation {seq}: {reason}</translation>
    </message>
    <message numerus="yes">
        <source>%n 项操作在服务器等待照片原图：请再导出一次数据包。</source>
        <translation>
            <numerusform>%n operation waits on the server for its original photos: export a bundle again.</numerusform>
            <numerusform>%n operations wait on the server for their original photos: export a bundle again.</numerusform>
        </translation>
    </message>
    <message>
        <source>导入基础数据</source>
        <translation>Import reference data</translation>
    </message>
    <message>
        <source>基础数据包 (*.wcref)</source>
        <translation>Reference bundles (*.wcref)</translation>
    </message>
    <message>
        <source>基础数据包 {file} 未导入：{reason}</source>
        <translation>Reference bundle {file} not imported: {reason}</translation>
    </message>
    <message>
        <source>导入第 {version} 版基础数据吗？
文件：{file}
服务器 {server} 写于 {at}；本机现有第 {held} 版。
用户、表单版本、代码表和核查名单一次全部导入（或全不导入）。</source>
        <translation>Import reference data version {version}?
File: {file}
Written by server {server} at {at}; this computer has version {held}.
Users, form versions, code tables and watch lists are imported all at once (or not at all).</translation>
    </message>
    <message>
        <source>本机已有第 {version} 版基础数据：没有改动。</source>
        <translation>This computer already has reference data version {version}: nothing changed.</translation>
    </message>
    <message>
        <source>，</source>
        <translation>, </translation>
    </message>
    <message>
        <source>{table} {rows} 条</source>
        <translation>{table}: {rows}</translation>
    </message>
    <message>
        <source>已导入第 {version} 版基础数据（{file}）：{tables}。</source>
        <translation>Imported reference data version {version} ({file}): {tables}.</translation>
    </message>
    <message>
        <source>无内容</source>
        <translation>nothing</translation>
    </message>
</context>
<context>
    <name>BundleNotice</name>
    <message>
        <source>U 盘数据包</source>
        <translation>USB bundles</translation>
    </message>
    <message>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
</context>
<context>
    <name>CaseListView</name>
    <message>
        <source>搜索勘验号、案件性质、地点、勘验人…</source>
        <translation>Search No., case type, place, investigator…</translation>
    </message>
    <message>
        <source>全部</source>
        <translation>All</translation>
    </message>
    <message>
        <source>按勘验时间</source>
        <translation>By investigation time</translation>
    </message>
    <message>
        <source>新建勘验(&amp;N)</source>
        <translation>&amp;New case</translation>
    </message>
    <message>
        <source>状态：</source>
        <translation>Status:</translation>
    </message>
    <message>
        <source>没有符合条件的勘验。</source>
        <translation>No matching cases.</translation>
    </message>
    <message>
        <source>已显示 {shown} / 正在统计…</source>
        <translation>{shown} shown / counting…</translation>
    </message>
    <message>
        <source>已显示 {shown} / 共 {total} 条</source>
        <translation>{shown} of {total} shown</translation>
    </message>
</context>
<context>
    <name>CasePages</name>
    <message>
        <source>照片</source>
        <translation>Photos</translation>
    </message>
    <message>
        <source>物证登记</source>
        <translation>Evidence</translation>
    </message>
    <message>
        <source>审核退回意见（针对本栏目）：{comment}</source>
        <translation>Returned by the reviewer, about this section: {comment}</translation>
    </message>
    <message>
        <source>正在导入照片，导入完成后才能定稿</source>
        <translation>Photos are being imported: finalize when the import is done</translation>
    </message>
    <message>
        <source>照片（{n}）</source>
        <translation>Photos ({n})</translation>
    </message>
    <message>
        <source>物证登记（{n}）</source>
        <translation>Evidence ({n})</translation>
    </message>
</context>
<context>
    <name>CaseTableModel</name>
    <message>
        <source>勘验号</source>
        <translation>Investigation No.</translation>
    </message>
    <message>
        <source>案件性质</source>
        <translation>Case type</translation>
    </message>
    <message>
        <source>发案地点</source>
        <translation>Place of the incident</translation>
    </message>
    <message>
        <source>勘验时间</source>
        <translation>Investigated</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>勘验人</source>
        <translation>Investigators</translation>
    </message>
    <message>
        <source>共同的“{prefix}”已省去（…），完整地址见各行提示</source>
        <translation>“{prefix}”, shared by every address, is left out (…); each row&apos;s tooltip shows the whole address</translation>
    </message>
    <message>
        <source>退回意见：{comment}</source>
        <translation>Returned with: {comment}</translation>
    </message>
</context>
<context>
    <name>CaseWorkspace</name>
    <message>
        <source>新建勘验（{keys}）</source>
        <translation>New case ({keys})</translation>
    </message>
    <message>
        <source>只看退回补正的</source>
        <translation>Show only returned cases</translation>
    </message>
    <message>
        <source>勘验列表</source>
        <translation>Cases</translation>
    </message>
    <message numerus="yes">
        <source>有 %n 件勘验被审核人退回补正，已排在列表最前（状态标红）。</source>
        <translation>
            <numerusform>%n case was returned for correction by a reviewer; it is listed first (status in red).</numerusform>
            <numerusform>%n cases were returned for correction by a reviewer; they are listed first (status in red).</numerusform>
        </translation>
    </message>
    <message>
        <source>打开勘验</source>
        <translation>Open case</translation>
    </message>
    <message>
        <source>新建勘验</source>
        <translation>New case</translation>
    </message>
    <message>
        <source>已新建勘验 {number}</source>
        <translation>New case {number} created</translation>
    </message>
    <message>
        <source>{number}（{status}）</source>
        <translation>{number} ({status})</translation>
    </message>
    <message>
        <source>未能保存</source>
        <translation>Not saved</translation>
    </message>
    <message>
        <source>勘验 {number} 有数据有误，修改未能保存到记录。
修改已自动保存，下次打开这件勘验时会恢复。仍要关闭吗？</source>
        <translation>Case {number} has wrong values; the changes could not be saved to the record.
They are autosaved and come back when the case is opened again. Close anyway?</translation>
    </message>
</context>
<context>
    <name>CheckPage</name>
    <message>
        <source>自动识别</source>
        <translation>Detect</translation>
    </message>
    <message>
        <source>身份证号</source>
        <translation>ID number</translation>
    </message>
    <message>
        <source>号牌</source>
        <translation>Plate</translation>
    </message>
    <message>
        <source>输入、粘贴或扫描身份证号或号牌，按回车核查</source>
        <translation>Type, paste or scan an ID number or plate, then press Enter</translation>
    </message>
    <message>
        <source>核查</source>
        <translation>Check</translation>
    </message>
    <message>
        <source>从图片识别…</source>
        <translation>From image…</translation>
    </message>
    <message>
        <source>导入名单…</source>
        <translation>Import list…</translation>
    </message>
    <message>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>核查人</source>
        <translation>Checked by</translation>
    </message>
    <message>
        <source>号码</source>
        <translation>Number</translation>
    </message>
    <message>
        <source>结果</source>
        <translation>Result</translation>
    </message>
    <message>
        <source>本机的核查记录（最近的在前）：</source>
        <translation>Checks made on this computer (newest first):</translation>
    </message>
    <message>
        <source>选择含二维码或条码的图片</source>
        <translation>Choose an image with a QR code or barcode</translation>
    </message>
    <message>
        <source>图片 (*.jpg *.jpeg *.png *.bmp *.heic *.tif *.tiff)</source>
        <translation>Images (*.jpg *.jpeg *.png *.bmp *.heic *.tif *.tiff)</translation>
    </message>
    <message>
        <source>图片中的条码不含有效的身份证号或号牌：请手工输入号码。</source>
        <translation>The codes in the image hold no valid ID number or plate: please type the number.</translation>
    </message>
    <message>
        <source>未核查：{message}</source>
        <translation>Not checked: {message}</translation>
    </message>
    <message>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <source>！命中核查名单：{lists} — {word} {key}</source>
        <translation>! ON A WATCH LIST: {lists} — {word} {key}</translation>
    </message>
    <message>
        <source>{name}：{value}</source>
        <translation>{name}: {value}</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>&lt;b&gt;{list}&lt;/b&gt; 第 {version} 版（{date}）&lt;br&gt;{facts}&lt;br&gt;&lt;b&gt;处置：&lt;/b&gt;{what}</source>
        <translation>&lt;b&gt;{list}&lt;/b&gt; version {version} ({date})&lt;br&gt;{facts}&lt;br&gt;&lt;b&gt;What to do:&lt;/b&gt; {what}</translation>
    </message>
    <message>
        <source>日期不详</source>
        <translation>date unknown</translation>
    </message>
    <message>
        <source>&#x3000;</source>
        <translation>; </translation>
    </message>
    <message>
        <source>未命中：{word} {key} 不在本机的 {n} 份名单中</source>
        <translation>No hit: {word} {key} is on none of the {n} lists here</translation>
    </message>
    <message>
        <source>本机记录：{number}（{field} {name}）</source>
        <translation>Record here: {number} ({field} {name})</translation>
    </message>
    <message>
        <source>注意：</source>
        <translation>Note: </translation>
    </message>
    <message>
        <source>人员信息</source>
        <translation>Person record</translation>
    </message>
    <message>
        <source>车辆信息</source>
        <translation>Vehicle record</translation>
    </message>
    <message>
        <source>场所信息</source>
        <translation>Place record</translation>
    </message>
    <message>
        <source>勘验</source>
        <translation>Case</translation>
    </message>
    <message>
        <source>记录</source>
        <translation>Record</translation>
    </message>
    <message>
        <source>本机名单：</source>
        <translation>Lists here: </translation>
    </message>
    <message>
        <source>；</source>
        <translation>; </translation>
    </message>
    <message>
        <source>{name} 第 {version} 版 {date}（{age}）</source>
        <translation>{name} version {version} {date} ({age})</translation>
    </message>
    <message>
        <source>{n} 天前</source>
        <translation>{n} days ago</translation>
    </message>
    <message>
        <source>，已过期</source>
        <translation>, out of date</translation>
    </message>
    <message>
        <source>本机还没有核查名单：未命中不代表对象无问题。请同步，或由管理员导入名单。</source>
        <translation>No watch lists on this computer yet: a miss does not clear anyone. Sync, or have an administrator import the lists.</translation>
    </message>
    <message>
        <source>命中：{lists}</source>
        <translation>Hit: {lists}</translation>
    </message>
    <message>
        <source>未命中</source>
        <translation>No hit</translation>
    </message>
</context>
<context>
    <name>CollectForm</name>
    <message>
        <source>关联</source>
        <translation>Links</translation>
    </message>
</context>
<context>
    <name>CollectKindPage</name>
    <message>
        <source>全部状态</source>
        <translation>All statuses</translation>
    </message>
    <message>
        <source>退回补正</source>
        <translation>Returned for correction</translation>
    </message>
    <message>
        <source>草稿</source>
        <translation>Draft</translation>
    </message>
    <message>
        <source>已定稿（待审核）</source>
        <translation>Finalized (awaiting review)</translation>
    </message>
    <message>
        <source>已审核</source>
        <translation>Reviewed</translation>
    </message>
    <message>
        <source>导出信息表…</source>
        <translation>Export sheet…</translation>
    </message>
    <message>
        <source>请先在列表中选择一条记录。</source>
        <translation>Choose a record in the list first.</translation>
    </message>
    <message>
        <source>导出信息表</source>
        <translation>Export information sheet</translation>
    </message>
    <message>
        <source>PDF 文件 (*.pdf)</source>
        <translation>PDF files (*.pdf)</translation>
    </message>
    <message>
        <source>正在导出信息表…</source>
        <translation>Exporting the information sheet…</translation>
    </message>
    <message>
        <source>已导出信息表：{path}（{pages} 页）</source>
        <translation>Information sheet exported: {path} ({pages} pages)</translation>
    </message>
</context>
<context>
    <name>CollectPage</name>
    <message>
        <source>人员</source>
        <translation>Persons</translation>
    </message>
    <message>
        <source>车辆</source>
        <translation>Vehicles</translation>
    </message>
    <message>
        <source>场所</source>
        <translation>Places</translation>
    </message>
</context>
<context>
    <name>CollectReviewQueue</name>
    <message>
        <source>类别</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>定稿时间</source>
        <translation>Finalized at</translation>
    </message>
    <message>
        <source>写明需要补正的内容（退回补正时必填；审核通过时可留空）</source>
        <translation>What needs correcting (required to return; may be left empty to approve)</translation>
    </message>
    <message>
        <source>退回补正</source>
        <translation>Return for correction</translation>
    </message>
    <message>
        <source>审核通过</source>
        <translation>Approve</translation>
    </message>
    <message>
        <source>审核意见：</source>
        <translation>Review comment:</translation>
    </message>
    <message>
        <source>已显示 {shown} / 共 {n} 条待审核</source>
        <translation>{shown} of {n} waiting for review shown</translation>
    </message>
    <message>
        <source>没有待审核的巡逻记录</source>
        <translation>No patrols waiting for review</translation>
    </message>
    <message>
        <source>没有待审核的采集记录</source>
        <translation>No collected records waiting for review</translation>
    </message>
    <message>
        <source>已退回补正 {label}，登记人将在列表最前看到它。</source>
        <translation>{label} returned for correction; whoever recorded it sees it first in the list.</translation>
    </message>
    <message>
        <source>共 {n} 条待审核</source>
        <translation>{n} waiting for review</translation>
    </message>
    <message>
        <source>巡逻</source>
        <translation>Patrol</translation>
    </message>
    <message>
        <source>群众诉求</source>
        <translation>Public request</translation>
    </message>
    <message>
        <source>没有待审核的群众诉求</source>
        <translation>No public requests waiting for review</translation>
    </message>
    <message>
        <source>退回补正时请写明需要补正的内容。</source>
        <translation>Say what needs correcting to return it.</translation>
    </message>
    <message>
        <source>确定审核通过 {label} 吗？</source>
        <translation>Approve {label}?</translation>
    </message>
    <message>
        <source>已审核通过 {label}。</source>
        <translation>{label} approved.</translation>
    </message>
    <message>
        <source>已退回补正 {label}，采集人将在列表最前看到它。</source>
        <translation>{label} returned for correction; whoever collected it sees it first in the list.</translation>
    </message>
</context>
<context>
    <name>ComparisonDialog</name>
    <message>
        <source>登记比对结果：{status}</source>
        <translation>Record the comparison: {status}</translation>
    </message>
    <message>
        <source>{number}&#x3000;{name}
必比状态将改为“{status}”。</source>
        <translation>{number}  {name}
The comparison status becomes “{status}”.</translation>
    </message>
    <message>
        <source>必填：写明比中对象，如“比中前科人员张某右手拇指”</source>
        <translation>Required: what it matched, e.g. “right thumb of previous offender Zhang”</translation>
    </message>
    <message>
        <source>可写明比对范围，如“全国库比对未比中”</source>
        <translation>Optional: what it was compared with, e.g. “national database, no match”</translation>
    </message>
    <message>
        <source>比对日期：</source>
        <translation>Date compared:</translation>
    </message>
    <message>
        <source>比对结果：</source>
        <translation>Result:</translation>
    </message>
    <message>
        <source>结果说明：</source>
        <translation>Note:</translation>
    </message>
    <message>
        <source>比中须写明比对结果（比中对象），否则不能保存。</source>
        <translation>A match needs its result (what it matched); it cannot be saved without.</translation>
    </message>
</context>
<context>
    <name>DevicePage</name>
    <message>
        <source>本机编号段</source>
        <translation>Numbering block of this computer</translation>
    </message>
    <message>
        <source>本单位每台勘验电脑各占一个编号段。</source>
        <translation>Each investigation computer of the unit has its own block of numbers.</translation>
    </message>
    <message>
        <source>本单位共几台：</source>
        <translation>Computers in the unit:</translation>
    </message>
    <message>
        <source>本机是第几台：</source>
        <translation>This computer is number:</translation>
    </message>
    <message>
        <source>本单位的每台笔记本选用不同的编号段（第 d 台，共 n 台），各自离线分配勘验号，两台电脑的勘验号永不重复。</source>
        <translation>Give every laptop of the unit a different block (number d of n): each allocates case numbers offline, and two computers never issue the same number.</translation>
    </message>
    <message>
        <source>本机每月使用序号 {first}–{last}（每月 {block} 个）。</source>
        <translation>This computer uses serials {first}–{last} each month ({block} per month).</translation>
    </message>
</context>
<context>
    <name>EvidenceRegister</name>
    <message>
        <source>送检</source>
        <translation>Submit</translation>
    </message>
    <message>
        <source>未送检 → 已送检</source>
        <translation>Not submitted → Submitted</translation>
    </message>
    <message>
        <source>比中…</source>
        <translation>Match…</translation>
    </message>
    <message>
        <source>未比中…</source>
        <translation>No match…</translation>
    </message>
    <message>
        <source>打印标签…</source>
        <translation>Print labels…</translation>
    </message>
    <message>
        <source>生成 A4 标签纸 PDF：每件物证一张，含编号二维码</source>
        <translation>Make an A4 label sheet PDF: one label per item, with its number as a QR code</translation>
    </message>
    <message>
        <source>勘验已定稿，登记表只能查看和打印标签；如需更正请先“补正”。</source>
        <translation>The investigation is finalized: the register can be viewed and labels printed; to correct it, amend first.</translation>
    </message>
    <message>
        <source>序号</source>
        <translation>#</translation>
    </message>
    <message>
        <source>编号</source>
        <translation>Evidence No.</translation>
    </message>
    <message>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>数量</source>
        <translation>Qty</translation>
    </message>
    <message>
        <source>提取部位</source>
        <translation>Where collected</translation>
    </message>
    <message>
        <source>提取方法</source>
        <translation>Method</translation>
    </message>
    <message>
        <source>提取人</source>
        <translation>Collected by</translation>
    </message>
    <message>
        <source>提取时间</source>
        <translation>Time collected</translation>
    </message>
    <message>
        <source>必比状态</source>
        <translation>Comparison</translation>
    </message>
    <message>
        <source>比对日期/结果</source>
        <translation>Date / result</translation>
    </message>
    <message>
        <source>关联照片</source>
        <translation>Photos</translation>
    </message>
    <message>
        <source>（保存后编号）</source>
        <translation>(numbered when saved)</translation>
    </message>
    <message>
        <source>共 {n} 件</source>
        <translation>{n} items</translation>
    </message>
    <message>
        <source>基本特征</source>
        <translation>Characteristics</translation>
    </message>
    <message>
        <source>比对结果</source>
        <translation>Result</translation>
    </message>
    <message>
        <source>备注</source>
        <translation>Remarks</translation>
    </message>
    <message>
        <source>{label}：{text}</source>
        <translation>{label}: {text}</translation>
    </message>
    <message>
        <source>没有登记痕迹物证（在“笔录”的提取痕迹物证登记表中添加）。</source>
        <translation>No evidence registered (add items in the record&apos;s evidence table).</translation>
    </message>
    <message>
        <source>{number} 的关联照片：{n} 张</source>
        <translation>Photos of {number}: {n}</translation>
    </message>
    <message>
        <source>没有关联照片（在“照片”中为照片选择关联物证）。</source>
        <translation>No linked photos (link a photo to the item under Photos).</translation>
    </message>
    <message>
        <source>{n} 号</source>
        <translation>No. {n}</translation>
    </message>
    <message>
        <source>比中须写明比对结果（比中对象）。</source>
        <translation>A match needs its result (what it matched).</translation>
    </message>
    <message>
        <source>表单中有数据有误，未能保存；请先在“笔录”中更正，再登记必比状态。</source>
        <translation>The record has wrong values and could not be saved: correct them in the record first, then change the comparison status.</translation>
    </message>
    <message>
        <source>找不到物证 {number}，可能已在表单中删除。</source>
        <translation>Evidence {number} not found; it may have been removed in the record.</translation>
    </message>
    <message>
        <source>{number} 必比状态已改为“{status}”。</source>
        <translation>{number}: comparison status is now “{status}”.</translation>
    </message>
    <message>
        <source>还没有编号的痕迹物证：在表单中保存后，系统会给物证编号。</source>
        <translation>No numbered evidence yet: items get their numbers when the record is saved.</translation>
    </message>
    <message>
        <source>物证标签-{number}.pdf</source>
        <translation>evidence-labels-{number}.pdf</translation>
    </message>
    <message>
        <source>保存物证标签</source>
        <translation>Save evidence labels</translation>
    </message>
    <message>
        <source>PDF 文件 (*.pdf)</source>
        <translation>PDF files (*.pdf)</translation>
    </message>
    <message>
        <source>未能生成标签：{error}</source>
        <translation>Labels not made: {error}</translation>
    </message>
    <message>
        <source>已生成 {file}：{n} 张标签，{pages} 页。</source>
        <translation>Wrote {file}: {n} labels, {pages} page(s).</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>本机尚未登记到同步服务器，不能导出数据包。请管理员打开“同步”页（点状态栏的同步项）办理登记：联网登记，或“写出登记申请…”离线登记。</source>
        <translation>This computer is not enrolled with a sync server, so it cannot export a bundle. Ask an administrator to open the Sync page (click the sync item of the status bar) and enroll it: over the network, or offline with “Write enrollment request…”.</translation>
    </message>
    <message>
        <source>本机还没有同步服务器的数据包公钥（本机登记得较早），不能导出数据包。请联网同步一次（“同步”页 → 立即同步）取得，或请管理员为本机重新办理离线登记。</source>
        <translation>This computer does not have the sync server&apos;s bundle keys yet (it was enrolled before servers had them), so it cannot export a bundle. Sync once over the network (Sync page → Sync now) to get them, or ask an administrator to enroll this computer offline again.</translation>
    </message>
    <message>
        <source>导出数据包</source>
        <translation>Export bundle</translation>
    </message>
    <message>
        <source>把本机尚未被服务器确认的同步操作、工作日志和所需的照片原图写成一个加密的数据包（.wcb），用 U 盘带到服务器导入。写完后读回核对。数据包只有本单位的服务器能打开。</source>
        <translation>Writes the sync operations the server has not acknowledged yet, the work log and the original photos they need into one encrypted bundle (.wcb), to be carried to the server on a USB stick. It is read back and checked once written. Only your unit&apos;s server can open it.</translation>
    </message>
    <message>
        <source>选择文件夹(&amp;B)…</source>
        <translation>&amp;Browse…</translation>
    </message>
    <message>
        <source>文件夹</source>
        <translation>Folder</translation>
    </message>
    <message>
        <source>文件名</source>
        <translation>File name</translation>
    </message>
    <message>
        <source>导出(&amp;E)</source>
        <translation>&amp;Export</translation>
    </message>
    <message>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>U 盘（选一个，或在下面给出文件夹）：</source>
        <translation>USB sticks (choose one, or give a folder below):</translation>
    </message>
    <message>
        <source>待导出：同步操作 {ops} 项，待上传照片 {photos} 张（{size}）。</source>
        <translation>To export: {ops} sync operations, {photos} photos to upload ({size}).</translation>
    </message>
    <message>
        <source>，可用 {size}</source>
        <translation>, {size} free</translation>
    </message>
    <message>
        <source>，只读</source>
        <translation>, read-only</translation>
    </message>
    <message>
        <source>{name}（{root}{free}{ro}）</source>
        <translation>{name} ({root}{free}{ro})</translation>
    </message>
    <message>
        <source>未发现 U 盘：请插入 U 盘，或在下面选择一个文件夹。</source>
        <translation>No USB stick found: insert one, or choose a folder below.</translation>
    </message>
    <message>
        <source>导出到文件夹</source>
        <translation>Export to folder</translation>
    </message>
    <message>
        <source>请选择 U 盘或文件夹，并给出文件名。</source>
        <translation>Choose a USB stick or a folder, and give a file name.</translation>
    </message>
    <message>
        <source>文件名中不能有 / 或 \：文件夹请在上面选择。</source>
        <translation>The file name cannot contain / or \: choose the folder above.</translation>
    </message>
    <message>
        <source>{path} 已经存在。用新的数据包替换它吗？</source>
        <translation>{path} already exists. Replace it with the new bundle?</translation>
    </message>
    <message>
        <source>正在写出数据包：{done} / {total}</source>
        <translation>Writing the bundle: {done} / {total}</translation>
    </message>
    <message>
        <source>正在准备数据包…</source>
        <translation>Preparing the bundle…</translation>
    </message>
    <message>
        <source>没有需要导出的内容：同步操作都已被服务器确认，工作日志也已锚定。没有写出文件。</source>
        <translation>Nothing to export: the server has acknowledged every sync operation and anchored the work log. No file was written.</translation>
    </message>
    <message>
        <source>已写出数据包 {path}（第 {seq} 个，{size}）：同步操作 {ops} 项，工作日志 {audit} 条，照片原图 {blobs} 张。文件已读回核对无误。请交给服务器管理员导入，再把回执（.wcr）带回：插入 U 盘时自动导入。</source>
        <translation>Wrote bundle {path} (number {seq}, {size}): {ops} sync operations, {audit} work log entries, {blobs} original photos. The file was read back and checked. Give it to the server administrator to import, then bring the receipt (.wcr) back: it is imported when the USB stick is inserted.</translation>
    </message>
    <message numerus="yes">
        <source>注意：%n 张照片原图在本机找不到，引用它们的操作会在服务器等待。请运行“校验数据”。</source>
        <translation>
            <numerusform>Note: %n original photo is missing on this computer; the operations naming it will wait on the server. Run “Verify data”.</numerusform>
            <numerusform>Note: %n original photos are missing on this computer; the operations naming them will wait on the server. Run “Verify data”.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FieldWidgets</name>
    <message>
        <source>全选后按 Delete 键清空</source>
        <translation>Select all and press Delete to empty it</translation>
    </message>
    <message>
        <source>点击填入当前日期；{clear}</source>
        <translation>Click to fill in today; {clear}</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <source>微察桌面版 — 首次使用向导</source>
        <translation>WeiCha Desktop — First-run wizard</translation>
    </message>
    <message>
        <source>下一步 &gt;</source>
        <translation>Next &gt;</translation>
    </message>
    <message>
        <source>&lt; 上一步</source>
        <translation>&lt; Back</translation>
    </message>
    <message>
        <source>完成</source>
        <translation>Finish</translation>
    </message>
    <message>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>FormEditors</name>
    <message>
        <source>选“其他”时请注明</source>
        <translation>Please specify when choosing “Other”</translation>
    </message>
    <message>
        <source>是</source>
        <translation>Yes</translation>
    </message>
    <message>
        <source>纬度</source>
        <translation>Latitude</translation>
    </message>
    <message>
        <source>经度</source>
        <translation>Longitude</translation>
    </message>
    <message>
        <source>（WGS-84，度；南纬、西经为负）</source>
        <translation>(WGS-84, degrees; south and west negative)</translation>
    </message>
    <message>
        <source>照片在“照片”页管理（后续版本）</source>
        <translation>Photos are managed on the Photos page (coming in a later version)</translation>
    </message>
    <message>
        <source>已关联 {n} 张</source>
        <translation>{n} linked</translation>
    </message>
    <message>
        <source>可选：{choices}（输入几个字即可筛选）</source>
        <translation>Choices: {choices} (type a few letters to filter)</translation>
    </message>
    <message>
        <source>添加一行</source>
        <translation>Add row</translation>
    </message>
    <message>
        <source>复制当前行</source>
        <translation>Copy row</translation>
    </message>
    <message>
        <source>删除所选行</source>
        <translation>Delete selected rows</translation>
    </message>
    <message>
        <source>添加一行（{keys}）</source>
        <translation>Add a row ({keys})</translation>
    </message>
    <message>
        <source>；{fields}沿用上一行</source>
        <translation>; {fields} as in the row above</translation>
    </message>
    <message>
        <source>把当前行复制为新的一行（{keys}）；编号在保存时另给</source>
        <translation>Copy the current row as a new row ({keys}); it gets its own number when saved</translation>
    </message>
    <message>
        <source>由系统填写</source>
        <translation>Filled in by the system</translation>
    </message>
</context>
<context>
    <name>FormHeader</name>
    <message>
        <source>已定稿的勘验不能直接修改：补正生成新版本，须写明原因</source>
        <translation>A finalized case cannot be edited: amending creates a new version and needs a reason</translation>
    </message>
    <message>
        <source>保存(&amp;S)</source>
        <translation>&amp;Save</translation>
    </message>
    <message>
        <source>检查(&amp;C)</source>
        <translation>&amp;Check</translation>
    </message>
    <message>
        <source>定稿(&amp;D)</source>
        <translation>Fina&amp;lize</translation>
    </message>
    <message>
        <source>补正(&amp;A)</source>
        <translation>&amp;Amend</translation>
    </message>
    <message>
        <source>报告(&amp;R)…</source>
        <translation>&amp;Report…</translation>
    </message>
    <message>
        <source>放弃恢复(&amp;X)</source>
        <translation>&amp;Discard recovered edits</translation>
    </message>
    <message>
        <source>丢弃这些未保存的修改，回到上次保存的记录</source>
        <translation>Discard these unsaved edits and go back to the last saved record</translation>
    </message>
    <message>
        <source>笔录</source>
        <translation>Record</translation>
    </message>
    <message>
        <source>第 {n} 版</source>
        <translation>Version {n}</translation>
    </message>
    <message>
        <source>审核退回，请按意见补正：{comment}</source>
        <translation>Returned by the reviewer; please correct: {comment}</translation>
    </message>
    <message>
        <source>补正第 {old} 版，原因：{reason}</source>
        <translation>Amends version {old}; reason: {reason}</translation>
    </message>
    <message>
        <source>已恢复上次未保存的草稿（自动保存于 {time}）。请核对后保存（Ctrl+S）。</source>
        <translation>Recovered the unsaved draft (autosaved at {time}). Check it, then save (Ctrl+S).</translation>
    </message>
    <message>
        <source>录入人：{name}。</source>
        <translation>Entered by: {name}.</translation>
    </message>
    <message>
        <source>已自动保存 {time}</source>
        <translation>Autosaved {time}</translation>
    </message>
</context>
<context>
    <name>FormView</name>
    <message>
        <source>保存到记录（{keys}）</source>
        <translation>Save to the record ({keys})</translation>
    </message>
    <message>
        <source>列出阻止定稿的问题：必填项与一长四必（{keys}；下一个 / 上一个问题：{next} / {prev}）</source>
        <translation>List what blocks finalizing: required fields and the scene rules ({keys}; next / previous problem: {next} / {prev})</translation>
    </message>
    <message>
        <source>定稿后记录锁定并计算哈希，不能再直接修改（{keys}）</source>
        <translation>Finalizing locks the record and computes its hash; it can no longer be edited ({keys})</translation>
    </message>
    <message>
        <source>预览、打印或导出 PDF：笔录、登记表、现场照片、分析报告（{keys}）</source>
        <translation>Preview, print or export a PDF: record, register, scene photos, analysis report ({keys})</translation>
    </message>
    <message>
        <source>下一个 / 上一个标签页：{next} / {prev}</source>
        <translation>Next / previous tab: {next} / {prev}</translation>
    </message>
    <message>
        <source>只读：{reason}</source>
        <translation>Read-only: {reason}</translation>
    </message>
    <message>
        <source>自动保存失败：{error}</source>
        <translation>Autosave failed: {error}</translation>
    </message>
    <message>
        <source>尚不能定稿：{n} 项待补充（单击定位）。</source>
        <translation>Cannot finalize yet: {n} item(s) to complete (click to go there).</translation>
    </message>
    <message>
        <source>检查通过：可以定稿。</source>
        <translation>Check passed: ready to finalize.</translation>
    </message>
    <message>
        <source>{n} 处数据有误，请更正后保存（修改已自动保存，不会丢失）。</source>
        <translation>{n} value(s) are wrong; correct them, then save (your edits are autosaved and will not be lost).</translation>
    </message>
    <message>
        <source>数据已更正，可以保存（Ctrl+S）。</source>
        <translation>Values corrected; you can save now (Ctrl+S).</translation>
    </message>
    <message numerus="yes">
        <source>有 %n 处空白“____”未填写（F8 逐个定位）</source>
        <translation>
            <numerusform>%n blank “____” not filled in (F8 goes to each)</numerusform>
            <numerusform>%n blanks “____” not filled in (F8 goes to each)</numerusform>
        </translation>
    </message>
    <message>
        <source>未保存到记录：{n} 处数据有误，请更正（修改已自动保存，不会丢失）。</source>
        <translation>Not saved to the record: {n} value(s) are wrong; please correct them (your edits are autosaved and will not be lost).</translation>
    </message>
    <message>
        <source>未保存：{error}</source>
        <translation>Not saved: {error}</translation>
    </message>
    <message>
        <source>已保存（{time}）。</source>
        <translation>Saved ({time}).</translation>
    </message>
    <message>
        <source>没有需要保存的修改。</source>
        <translation>No changes to save.</translation>
    </message>
    <message>
        <source>已放弃恢复，显示上次保存的记录。</source>
        <translation>Recovered edits discarded; showing the last saved record.</translation>
    </message>
    <message>
        <source>不能定稿：尚缺 {n} 项（单击定位）。</source>
        <translation>Cannot finalize: {n} item(s) missing (click to go there).</translation>
    </message>
    <message>
        <source>定稿</source>
        <translation>Finalize</translation>
    </message>
    <message>
        <source>定稿后勘验 {number} 第 {version} 版将被锁定，不能再直接修改（如需更正须“补正”）。
确定定稿吗？</source>
        <translation>After finalizing, case {number} version {version} is locked and can no longer be edited (corrections need an amendment).
Finalize now?</translation>
    </message>
    <message>
        <source>不能定稿：{error}</source>
        <translation>Cannot finalize: {error}</translation>
    </message>
    <message>
        <source>已定稿，内容哈希 {hash}…</source>
        <translation>Finalized; content hash {hash}…</translation>
    </message>
    <message>
        <source>不能补正：{error}</source>
        <translation>Cannot amend: {error}</translation>
    </message>
    <message>
        <source>已生成第 {n} 版草稿，可以修改。</source>
        <translation>Draft version {n} created; you can edit it now.</translation>
    </message>
</context>
<context>
    <name>HandlingView</name>
    <message>
        <source>这一步的说明（必填）</source>
        <translation>What was done in this step (required)</translation>
    </message>
    <message>
        <source>开始处理</source>
        <translation>Start handling</translation>
    </message>
    <message>
        <source>办结</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>重新办理</source>
        <translation>Reopen</translation>
    </message>
    <message>
        <source>（已超期）</source>
        <translation> (overdue)</translation>
    </message>
    <message>
        <source>办理状态：{status}&#x3000;办理期限：{due}{late}</source>
        <translation>Status: {status}; due: {due}{late}</translation>
    </message>
    <message>
        <source>无</source>
        <translation>none</translation>
    </message>
</context>
<context>
    <name>ImportBar</name>
    <message>
        <source>取消导入</source>
        <translation>Cancel import</translation>
    </message>
    <message>
        <source>添加照片</source>
        <translation>Add photos</translation>
    </message>
    <message>
        <source>照片（{pattern}）</source>
        <translation>Photos ({pattern})</translation>
    </message>
    <message>
        <source>所有文件 (*)</source>
        <translation>All files (*)</translation>
    </message>
    <message>
        <source>正在准备导入…</source>
        <translation>Preparing the import…</translation>
    </message>
    <message>
        <source>正在取消…</source>
        <translation>Cancelling…</translation>
    </message>
    <message>
        <source>正在导入 {done} / {total}：{name}</source>
        <translation>Importing {done} / {total}: {name}</translation>
    </message>
    <message>
        <source>已导入 {n} 张照片</source>
        <translation>{n} photo(s) imported</translation>
    </message>
    <message>
        <source>{n} 张已在本案中（重复，未再保存）</source>
        <translation>{n} already in this case (duplicates, not stored again)</translation>
    </message>
    <message>
        <source>{n} 个文件无法导入</source>
        <translation>{n} file(s) could not be imported</translation>
    </message>
    <message>
        <source>已取消，{n} 个文件未处理</source>
        <translation>cancelled, {n} file(s) not processed</translation>
    </message>
    <message>
        <source>，</source>
        <translation>, </translation>
    </message>
    <message>
        <source>。</source>
        <translation>.</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <source>导入文件夹（相机存储卡）</source>
        <translation>Import a folder (camera card)</translation>
    </message>
    <message>
        <source>浏览(&amp;B)…</source>
        <translation>&amp;Browse…</translation>
    </message>
    <message>
        <source>0 不分类（导入后再分）</source>
        <translation>0 No class (set it after the import)</translation>
    </message>
    <message>
        <source>导入</source>
        <translation>Import</translation>
    </message>
    <message>
        <source>文件夹：</source>
        <translation>Folder:</translation>
    </message>
    <message>
        <source>照片分类(&amp;C)：</source>
        <translation>Photo &amp;class:</translation>
    </message>
    <message>
        <source>请选择相机存储卡或照片所在的文件夹（“浏览…”）。</source>
        <translation>Choose the camera card or the folder holding the photos (“Browse…”).</translation>
    </message>
    <message>
        <source>找不到文件夹“{folder}”：请检查存储卡是否插好，或点“浏览…”重新选择。</source>
        <translation>Folder “{folder}” not found: check that the card is inserted, or choose it again with “Browse…”.</translation>
    </message>
    <message>
        <source>找到 {n} 张照片（含子文件夹）。</source>
        <translation>{n} photos found (subfolders included).</translation>
    </message>
    <message>
        <source>文件夹“{folder}”中没有照片（{kinds}）：请选择其他文件夹。</source>
        <translation>Folder “{folder}” holds no photos ({kinds}): choose another folder.</translation>
    </message>
</context>
<context>
    <name>ImportReport</name>
    <message>
        <source>导入报告</source>
        <translation>Import report</translation>
    </message>
    <message>
        <source>重复</source>
        <translation>Duplicate</translation>
    </message>
    <message>
        <source>未导入</source>
        <translation>Not imported</translation>
    </message>
    <message>
        <source>文件</source>
        <translation>File</translation>
    </message>
    <message>
        <source>结果</source>
        <translation>Result</translation>
    </message>
    <message>
        <source>原因</source>
        <translation>Reason</translation>
    </message>
</context>
<context>
    <name>KindPage</name>
    <message>
        <source>身份证号（可空），按回车新建</source>
        <translation>ID number (may be empty), Enter to create</translation>
    </message>
    <message>
        <source>号牌（可空），按回车新建</source>
        <translation>Plate number (may be empty), Enter to create</translation>
    </message>
    <message>
        <source>新建</source>
        <translation>New</translation>
    </message>
    <message>
        <source>搜索（姓名、号码、地址等）</source>
        <translation>Search (name, number, address…)</translation>
    </message>
    <message>
        <source>在左侧选择一条记录，或新建一条。</source>
        <translation>Choose a record on the left, or create one.</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>没有符合条件的记录。</source>
        <translation>No records match.</translation>
    </message>
    <message>
        <source>已显示 {shown} / 正在统计…</source>
        <translation>{shown} shown / counting…</translation>
    </message>
    <message>
        <source>已显示 {shown} / 共 {total} 条</source>
        <translation>{shown} of {total} shown</translation>
    </message>
    <message>
        <source>已有记录</source>
        <translation>Record exists</translation>
    </message>
    <message>
        <source>{message}

打开该记录吗？选“忽略”则仍然新建一条。</source>
        <translation>{message}

Open that record? Choose Ignore to create another one anyway.</translation>
    </message>
    <message>
        <source>未新建：{error}</source>
        <translation>Not created: {error}</translation>
    </message>
    <message>
        <source>已新建：{label}</source>
        <translation>Created: {label}</translation>
    </message>
</context>
<context>
    <name>LabelDialog</name>
    <message>
        <source>打印物证标签</source>
        <translation>Print evidence labels</translation>
    </message>
    <message>
        <source> 张</source>
        <translation> labels</translation>
    </message>
    <message>
        <source>标签纸已用过一部分时，跳过前面已用掉的标签位置</source>
        <translation>On a partly used sheet, skip the label positions already used</translation>
    </message>
    <message>
        <source>共 {n} 件已编号的痕迹物证，每件一张标签（含编号二维码）。</source>
        <translation>{n} numbered evidence items, one label each (with a QR code of the number).</translation>
    </message>
    <message>
        <source>标签纸：</source>
        <translation>Label sheet:</translation>
    </message>
    <message>
        <source>跳过已用：</source>
        <translation>Skip used:</translation>
    </message>
    <message>
        <source>生成 PDF…</source>
        <translation>Make PDF…</translation>
    </message>
</context>
<context>
    <name>LinksView</name>
    <message>
        <source>勘验</source>
        <translation>case</translation>
    </message>
    <message>
        <source>人员</source>
        <translation>person</translation>
    </message>
    <message>
        <source>车辆</source>
        <translation>vehicle</translation>
    </message>
    <message>
        <source>场所</source>
        <translation>place</translation>
    </message>
    <message>
        <source>巡逻</source>
        <translation>patrol</translation>
    </message>
    <message>
        <source>群众诉求</source>
        <translation>public request</translation>
    </message>
    <message>
        <source>勘验号、身份证号、号牌或记录 id</source>
        <translation>Case number, ID number, plate or record id</translation>
    </message>
    <message>
        <source>说明（可空）</source>
        <translation>Note (optional)</translation>
    </message>
    <message>
        <source>关联</source>
        <translation>Link</translation>
    </message>
    <message>
        <source>关联到</source>
        <translation>Link to</translation>
    </message>
    <message>
        <source>{label}（{kind}）</source>
        <translation>{label} ({kind})</translation>
    </message>
    <message>
        <source>{id}（本机没有该记录）</source>
        <translation>{id} (not on this computer)</translation>
    </message>
    <message>
        <source>＝ 本记录的 {field}：{label}（{kind}）</source>
        <translation>= its {field}: {label} ({kind})</translation>
    </message>
    <message>
        <source>＝ 出现在 {label}（{kind}，{field}）</source>
        <translation>= named in {label} ({kind}, {field})</translation>
    </message>
    <message>
        <source>尚无关联：在下面输入勘验号等，选择身份后点“关联”。</source>
        <translation>No links yet: enter a case number or the like below, choose the role and click Link.</translation>
    </message>
    <message>
        <source>已关联。</source>
        <translation>Linked.</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>微察桌面版 — 登录</source>
        <translation>WeiCha Desktop — Log in</translation>
    </message>
    <message>
        <source>微察桌面版</source>
        <translation>WeiCha Desktop</translation>
    </message>
    <message>
        <source>登录</source>
        <translation>Log in</translation>
    </message>
    <message>
        <source>退出</source>
        <translation>Quit</translation>
    </message>
    <message>
        <source>用户名：</source>
        <translation>User name:</translation>
    </message>
    <message>
        <source>密码：</source>
        <translation>Password:</translation>
    </message>
    <message>
        <source>请输入用户名和密码。</source>
        <translation>Please enter user name and password.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>现场勘验</source>
        <translation>Scene investigation</translation>
    </message>
    <message>
        <source>审核</source>
        <translation>Review</translation>
    </message>
    <message>
        <source>核查</source>
        <translation>Checks</translation>
    </message>
    <message>
        <source>采集</source>
        <translation>Base information</translation>
    </message>
    <message>
        <source>巡逻</source>
        <translation>Patrols</translation>
    </message>
    <message>
        <source>互动</source>
        <translation>Public requests</translation>
    </message>
    <message>
        <source>微察桌面版</source>
        <translation>WeiCha Desktop</translation>
    </message>
    <message>
        <source>文件(&amp;F)</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>备份(&amp;B)…</source>
        <translation>&amp;Backup…</translation>
    </message>
    <message>
        <source>把全部勘验记录和原始照片备份到一个文件</source>
        <translation>Back up every case record and the original photos into one file</translation>
    </message>
    <message>
        <source>校验数据(&amp;V)…</source>
        <translation>&amp;Verify data…</translation>
    </message>
    <message>
        <source>核对数据是否被改动、回滚或损坏（weicha verify）</source>
        <translation>Check whether the data was altered, rolled back or damaged (weicha verify)</translation>
    </message>
    <message>
        <source>设置(&amp;S)…</source>
        <translation>&amp;Settings…</translation>
    </message>
    <message>
        <source>退出(&amp;X)</source>
        <translation>E&amp;xit</translation>
    </message>
    <message>
        <source>帮助(&amp;H)</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>快捷键(&amp;K)…</source>
        <translation>&amp;Keyboard shortcuts…</translation>
    </message>
    <message>
        <source>勘验 {number}：{status}</source>
        <translation>Case {number}: {status}</translation>
    </message>
    <message>
        <source>界面语言已更改，重新启动程序后生效。</source>
        <translation>Interface language changed; it takes effect when the program is restarted.</translation>
    </message>
    <message>
        <source>点此打开同步页</source>
        <translation>Click to open the sync page</translation>
    </message>
    <message>
        <source>备份完成：{path}</source>
        <translation>Backup done: {path}</translation>
    </message>
</context>
<context>
    <name>OfflineEnrollBox</name>
    <message>
        <source>离线登记（没有网络时）</source>
        <translation>Offline enrollment (without a network)</translation>
    </message>
    <message>
        <source>① 写出登记申请（.wcq），交服务器管理员导入；② 导入管理员给回的登记文件（.wce），与管理员核对服务器的密钥指纹。</source>
        <translation>① Write an enrollment request (.wcq) for the server administrator to import; ② import the enrollment file (.wce) the administrator gives back, and compare the server&apos;s key fingerprint with the administrator.</translation>
    </message>
    <message>
        <source>本机的离线登记由管理员办理（管理员登录后在此写出登记申请、导入登记文件）。</source>
        <translation>Offline enrollment is done by an administrator (logged in, they write the request and import the enrollment file here).</translation>
    </message>
    <message>
        <source>写出登记申请…</source>
        <translation>Write enrollment request…</translation>
    </message>
    <message>
        <source>导入登记文件…</source>
        <translation>Import enrollment file…</translation>
    </message>
    <message>
        <source>服务器签名公钥指纹（向服务器管理员当面或电话索取）</source>
        <translation>Server signing key fingerprint (ask the server administrator in person or by phone)</translation>
    </message>
    <message>
        <source>服务器签名公钥指纹</source>
        <translation>Server signing key fingerprint</translation>
    </message>
    <message>
        <source>导入登记文件前，填写服务器签名公钥指纹（weicha-server keys 所示）：</source>
        <translation>Before importing the enrollment file, type the server signing key fingerprint (as weicha-server keys shows it):</translation>
    </message>
    <message>
        <source>服务器数据包签名公钥指纹（SHA-256）：
{fp}</source>
        <translation>Server bundle signing key fingerprint (SHA-256):
{fp}</translation>
    </message>
    <message>
        <source>离线登记</source>
        <translation>Offline enrollment</translation>
    </message>
    <message>
        <source>写出登记申请</source>
        <translation>Write enrollment request</translation>
    </message>
    <message>
        <source>登记申请 (*.wcq)</source>
        <translation>Enrollment requests (*.wcq)</translation>
    </message>
    <message>
        <source>已写出登记申请 {path}（设备 {device}，名称 {name}）。
本机设备密钥指纹（SHA-256）：{fp}
请交给服务器管理员导入，并与管理员核对这个指纹；再填写管理员告知的服务器签名公钥指纹，用“导入登记文件…”导入管理员给回的登记文件。</source>
        <translation>Wrote enrollment request {path} (device {device}, name {name}).
This computer&apos;s device key fingerprint (SHA-256): {fp}
Give it to the server administrator to import and compare this fingerprint with them; then type the server signing key fingerprint the administrator tells you and import the enrollment file they give back with “Import enrollment file…”.</translation>
    </message>
    <message>
        <source>请先填写服务器签名公钥指纹（向服务器管理员当面或电话索取：weicha-server keys 所示的“签名”指纹），再导入登记文件。指纹不符的登记文件不会被导入。</source>
        <translation>Type the server signing key fingerprint first (ask the server administrator in person or by phone: the “signing” fingerprint weicha-server keys shows), then import the enrollment file. An enrollment file whose fingerprint differs is not imported.</translation>
    </message>
    <message>
        <source>已离线登记：本机登记到同步服务器 {server}{unit}。
服务器签名公钥指纹（SHA-256，与填写的相符）：{fp}</source>
        <translation>Enrolled offline with sync server {server}{unit}.
Server signing key fingerprint (SHA-256, matches the one typed): {fp}</translation>
    </message>
    <message>
        <source>导入登记文件</source>
        <translation>Import enrollment file</translation>
    </message>
    <message>
        <source>登记文件 (*.wce)</source>
        <translation>Enrollment files (*.wce)</translation>
    </message>
    <message>
        <source>（单位 {unit}）</source>
        <translation> (unit {unit})</translation>
    </message>
</context>
<context>
    <name>PatrolForm</name>
    <message>
        <source>小结</source>
        <translation>Summary</translation>
    </message>
    <message>
        <source>巡逻已结束。</source>
        <translation>The patrol has ended.</translation>
    </message>
    <message>
        <source>已从 {name} 导入路线点。</source>
        <translation>Route points imported from {name}.</translation>
    </message>
    <message>
        <source>已导出巡逻工作记录：{path}（{pages} 页）</source>
        <translation>Patrol log exported: {path} ({pages} pages)</translation>
    </message>
</context>
<context>
    <name>PatrolPage</name>
    <message>
        <source>只看进行中的巡逻</source>
        <translation>Ongoing patrols only</translation>
    </message>
</context>
<context>
    <name>PhotoDetails</name>
    <message>
        <source>（未分类）</source>
        <translation>(no class)</translation>
    </message>
    <message>
        <source>照片说明，如：被撬的主卧床头柜抽屉</source>
        <translation>Caption, e.g. the pried bedside drawer in the main bedroom</translation>
    </message>
    <message>
        <source>这张照片拍的是哪件痕迹物证（物证登记中有编号的）</source>
        <translation>The evidence item this photo shows (numbered items of the register)</translation>
    </message>
    <message>
        <source>分类：</source>
        <translation>Class:</translation>
    </message>
    <message>
        <source>说明：</source>
        <translation>Caption:</translation>
    </message>
    <message>
        <source>照相人：</source>
        <translation>Photographed by:</translation>
    </message>
    <message>
        <source>关联物证：</source>
        <translation>Evidence item:</translation>
    </message>
    <message>
        <source>（无）</source>
        <translation>(none)</translation>
    </message>
    <message>
        <source>说明前缀：</source>
        <translation>Caption prefix:</translation>
    </message>
    <message>
        <source>加在所选 {n} 张照片的说明前，如：主卧——</source>
        <translation>Put before the captions of the {n} selected photos, e.g. “Master bedroom – ”</translation>
    </message>
    <message>
        <source>（各不相同）</source>
        <translation>(differs)</translation>
    </message>
    <message>
        <source>已选 {n} 张照片：这里的修改用于全部所选照片（数字键 1–{k} 分类）。</source>
        <translation>{n} photos selected: what you change here applies to all of them (keys 1–{k} set the class).</translation>
    </message>
</context>
<context>
    <name>PhotoEditor</name>
    <message>
        <source>编辑工作副本 — {n} 号照片</source>
        <translation>Working copy — photo {n}</translation>
    </message>
    <message>
        <source>向左旋转 90°</source>
        <translation>Rotate left 90°</translation>
    </message>
    <message>
        <source>向右旋转 90°</source>
        <translation>Rotate right 90°</translation>
    </message>
    <message>
        <source>裁剪</source>
        <translation>Crop</translation>
    </message>
    <message>
        <source>箭头</source>
        <translation>Arrow</translation>
    </message>
    <message>
        <source>标号</source>
        <translation>Marker</translation>
    </message>
    <message>
        <source>文字</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>比例尺 1:1</source>
        <translation>Scale 1:1</translation>
    </message>
    <message>
        <source>撤销</source>
        <translation>Undo</translation>
    </message>
    <message>
        <source>保存为工作副本</source>
        <translation>Save as working copy</translation>
    </message>
    <message>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>裁剪：在图上拖出要保留的范围。</source>
        <translation>Crop: drag over the part to keep.</translation>
    </message>
    <message>
        <source>箭头：从起点拖到箭头所指处。</source>
        <translation>Arrow: drag from its start to what it points at.</translation>
    </message>
    <message>
        <source>标号：在图上单击，依次放置 1、2、3… 号标记。</source>
        <translation>Marker: click to place markers 1, 2, 3… in turn.</translation>
    </message>
    <message>
        <source>文字：先在上方框中写好文字（如比例尺），再在图上单击放置。</source>
        <translation>Text: write it in the box above (e.g. a scale), then click where it goes.</translation>
    </message>
    <message>
        <source>请先写好要标注的文字。</source>
        <translation>Write the text first.</translation>
    </message>
    <message>
        <source>旋转</source>
        <translation>rotate</translation>
    </message>
    <message>
        <source>步骤：{steps}</source>
        <translation>Steps: {steps}</translation>
    </message>
    <message>
        <source>尚未编辑。</source>
        <translation>No edits yet.</translation>
    </message>
    <message>
        <source>正在保存工作副本…</source>
        <translation>Saving the working copy…</translation>
    </message>
    <message>
        <source>未能保存：{error}</source>
        <translation>Not saved: {error}</translation>
    </message>
</context>
<context>
    <name>PhotoListModel</name>
    <message>
        <source>{n} 号</source>
        <translation>No. {n}</translation>
    </message>
    <message>
        <source>未分类</source>
        <translation>No class</translation>
    </message>
    <message>
        <source>（副本）</source>
        <translation> (copy)</translation>
    </message>
</context>
<context>
    <name>PhotoLog</name>
    <message>
        <source>添加照片…</source>
        <translation>Add photos…</translation>
    </message>
    <message>
        <source>导入文件夹(&amp;I)…</source>
        <translation>&amp;Import folder…</translation>
    </message>
    <message>
        <source>导入相机存储卡或文件夹中的全部照片（含子文件夹）</source>
        <translation>Import every photo of a camera card or folder (subfolders too)</translation>
    </message>
    <message>
        <source>编辑工作副本…</source>
        <translation>Working copy…</translation>
    </message>
    <message>
        <source>旋转、裁剪、加箭头/标号/文字，另存为工作副本；原件不变</source>
        <translation>Rotate, crop, add arrows/markers/text and save as a working copy; the original stays unchanged</translation>
    </message>
    <message>
        <source>移除照片…</source>
        <translation>Remove photo…</translation>
    </message>
    <message>
        <source>从本案照片记录中移除（须写原因）；原件仍保存，可重新导入</source>
        <translation>Take it out of this case&apos;s photo log (a reason is required); the original is kept and can be imported again</translation>
    </message>
    <message>
        <source>勘验已定稿，照片只能查看；如需更正请先“补正”。</source>
        <translation>The investigation is finalized: photos can only be viewed; to correct them, amend first.</translation>
    </message>
    <message>
        <source>数字键给所选照片分类：{keys}；Shift/Ctrl+单击或方向键多选，Ctrl+A 全选</source>
        <translation>Digit keys set the class of the selected photos: {keys}; Shift/Ctrl+click or arrows select several, Ctrl+A all</translation>
    </message>
    <message>
        <source>照片说明</source>
        <translation>About this photo</translation>
    </message>
    <message>
        <source>还没有照片。点“添加照片…”或“导入文件夹…”，
也可以把照片或文件夹拖到这里。</source>
        <translation>No photos yet. Use “Add photos…” or “Import folder…”,
or drop photos or folders here.</translation>
    </message>
    <message>
        <source>没有照片。</source>
        <translation>No photos.</translation>
    </message>
    <message>
        <source>照片只能查看，不能分类：勘验不是可修改的草稿。</source>
        <translation>The photos can only be viewed, not classified: the case is not a draft you can change.</translation>
    </message>
    <message>
        <source>已将 {n} 号照片分为“{name}”，下一张：{next} 号。</source>
        <translation>Photo {n} classed as “{name}”; next: photo {next}.</translation>
    </message>
    <message>
        <source>已将 {n} 张照片分为“{name}”。</source>
        <translation>{n} photos classed as “{name}”.</translation>
    </message>
    <message>
        <source>已保存 {n} 张照片的说明。</source>
        <translation>Descriptions of {n} photos saved.</translation>
    </message>
    <message>
        <source>共 {n} 张</source>
        <translation>{n} photos</translation>
    </message>
    <message>
        <source> · 拖动缩略图调整顺序</source>
        <translation> · drag a thumbnail to reorder</translation>
    </message>
    <message>
        <source>正在导入，请等这一批完成或取消后再添加。</source>
        <translation>An import is running: add more when it has finished or was cancelled.</translation>
    </message>
    <message>
        <source>导入中断：{error}</source>
        <translation>Import stopped: {error}</translation>
    </message>
    <message>
        <source>已保存 {n} 号照片的说明。</source>
        <translation>Saved the description of photo {n}.</translation>
    </message>
    <message>
        <source>已调整照片顺序并重新编号。</source>
        <translation>Photos reordered and renumbered.</translation>
    </message>
    <message>
        <source>已保存工作副本 {n} 号（源自 {src} 号，原件未改动）。</source>
        <translation>Saved working copy no. {n} (from no. {src}; the original is unchanged).</translation>
    </message>
    <message>
        <source>移除照片</source>
        <translation>Remove photo</translation>
    </message>
    <message>
        <source>移除第 {n} 号照片（{name}）的原因：</source>
        <translation>Reason for removing photo {n} ({name}):</translation>
    </message>
    <message>
        <source>已移除第 {n} 号照片；原件仍保存在数据文件夹中。</source>
        <translation>Photo {n} removed; the original is still kept in the data folder.</translation>
    </message>
</context>
<context>
    <name>PhotoPreview</name>
    <message>
        <source>拍摄时间</source>
        <translation>Taken</translation>
    </message>
    <message>
        <source>相机</source>
        <translation>Camera</translation>
    </message>
    <message>
        <source>方向</source>
        <translation>Orientation</translation>
    </message>
    <message>
        <source>像素</source>
        <translation>Pixels</translation>
    </message>
    <message>
        <source>GPS</source>
        <translation>GPS</translation>
    </message>
    <message>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <source>原文件名</source>
        <translation>File name</translation>
    </message>
    <message>
        <source>：</source>
        <translation>:</translation>
    </message>
    <message>
        <source>选择一张照片查看大图</source>
        <translation>Choose a photo to see it large</translation>
    </message>
    <message>
        <source>正在载入…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>无法显示这张照片：{error}</source>
        <translation>This photo cannot be shown: {error}</translation>
    </message>
    <message>
        <source>无</source>
        <translation>none</translation>
    </message>
    <message>
        <source>未知</source>
        <translation>unknown</translation>
    </message>
    <message>
        <source>{time}（来源：{source}）</source>
        <translation>{time} ({source})</translation>
    </message>
    <message>
        <source>无（相机未记录拍摄时间）</source>
        <translation>none (the camera recorded no time)</translation>
    </message>
    <message>
        <source>{w} × {h}（{format}，{size}）</source>
        <translation>{w} × {h} ({format}, {size})</translation>
    </message>
    <message>
        <source>纬度 {lat:.6f}°，经度 {lon:.6f}°</source>
        <translation>lat {lat:.6f}°, lon {lon:.6f}°</translation>
    </message>
    <message>
        <source>，海拔 {alt:.1f} 米</source>
        <translation>, alt {alt:.1f} m</translation>
    </message>
    <message>
        <source>工作副本，源自 {n} 号（原件未改动）</source>
        <translation>Working copy of no. {n} (the original is unchanged)</translation>
    </message>
    <message>
        <source>正向（工作副本）</source>
        <translation>upright (working copy)</translation>
    </message>
    <message>
        <source>无（按原样显示）</source>
        <translation>none (shown as stored)</translation>
    </message>
    <message>
        <source>正常</source>
        <translation>normal</translation>
    </message>
    <message>
        <source>水平翻转</source>
        <translation>mirrored</translation>
    </message>
    <message>
        <source>旋转 180°</source>
        <translation>rotated 180°</translation>
    </message>
    <message>
        <source>垂直翻转</source>
        <translation>flipped</translation>
    </message>
    <message>
        <source>翻转并旋转</source>
        <translation>mirrored and turned</translation>
    </message>
    <message>
        <source>顺时针旋转 90°</source>
        <translation>turned 90° clockwise</translation>
    </message>
    <message>
        <source>逆时针旋转 90°</source>
        <translation>turned 90° anticlockwise</translation>
    </message>
    <message>
        <source>EXIF {n}：{name}（已转正显示）</source>
        <translation>EXIF {n}: {name} (shown upright)</translation>
    </message>
</context>
<context>
    <name>ProblemPanel</name>
    <message numerus="yes">
        <source>另有 %n 条提示，请核对（不影响定稿）。</source>
        <translation>
            <numerusform> %n notice to check (it does not stop finalizing).</numerusform>
            <numerusform> %n notices to check (they do not stop finalizing).</numerusform>
        </translation>
    </message>
    <message>
        <source>单击或按回车定位到该栏目</source>
        <translation>Click or press Enter to go to the field</translation>
    </message>
    <message>
        <source>提示：{text}</source>
        <translation>Notice: {text}</translation>
    </message>
    <message>
        <source>提示：请核对，不阻止定稿（单击或按回车定位到该栏目）</source>
        <translation>Notice: please check; it does not block finalizing (click or press Enter to go to the field)</translation>
    </message>
</context>
<context>
    <name>ProgressRow</name>
    <message>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>正在取消…</source>
        <translation>Cancelling…</translation>
    </message>
</context>
<context>
    <name>RecordSheet</name>
    <message>
        <source>第 {n} 版</source>
        <translation>Version {n}</translation>
    </message>
    <message>
        <source>报告(&amp;R)…</source>
        <translation>&amp;Report…</translation>
    </message>
    <message>
        <source>预览、打印或导出 PDF：笔录、登记表、现场照片、分析报告</source>
        <translation>Preview, print or export a PDF: record, register, scene photos, analysis</translation>
    </message>
    <message>
        <source>照片</source>
        <translation>Photos</translation>
    </message>
    <message>
        <source>栏目：</source>
        <translation>Sections: </translation>
    </message>
    <message>
        <source>本版由来：</source>
        <translation>Why this version: </translation>
    </message>
    <message>
        <source>审核退回：</source>
        <translation>returned by the reviewer: </translation>
    </message>
    <message>
        <source>照片（{n} 张）</source>
        <translation>Photos ({n})</translation>
    </message>
    <message>
        <source>检查结果（第 {n} 版）：</source>
        <translation>Check of version {n}: </translation>
    </message>
    <message numerus="yes">
        <source>%n 条提示，请核对（不阻止定稿）：</source>
        <translation>
            <numerusform>%n notice to check (it does not block finalizing):</numerusform>
            <numerusform>%n notices to check (they do not block finalizing):</numerusform>
        </translation>
    </message>
    <message>
        <source>提示：</source>
        <translation>Notice: </translation>
    </message>
    <message>
        <source>通过，没有阻止定稿的问题。</source>
        <translation>passed, nothing blocks finalizing.</translation>
    </message>
    <message>
        <source>{n} 个问题阻止定稿：</source>
        <translation>{n} problem(s) block finalizing:</translation>
    </message>
    <message>
        <source>没有照片。</source>
        <translation>No photos.</translation>
    </message>
    <message>
        <source>未分类</source>
        <translation>No class</translation>
    </message>
    <message>
        <source>第 {n} 号〔{kind}〕</source>
        <translation>No. {n} [{kind}] </translation>
    </message>
    <message>
        <source>拍照：{name}</source>
        <translation>Photographer: {name}</translation>
    </message>
</context>
<context>
    <name>ReportDialog</name>
    <message>
        <source>报告 — {number}</source>
        <translation>Report — {number}</translation>
    </message>
    <message>
        <source>勘验 {number}&#x3000;第 {version} 版&#x3000;{status}</source>
        <translation>Case {number}  version {version}  {status}</translation>
    </message>
    <message>
        <source>草稿：打印件带“草稿”水印</source>
        <translation>Draft: printouts carry a “草稿” (draft) watermark</translation>
    </message>
    <message>
        <source>打印内容</source>
        <translation>Contents</translation>
    </message>
    <message>
        <source>现场勘验检查笔录</source>
        <translation>Scene investigation record</translation>
    </message>
    <message>
        <source>附件1 提取痕迹、物证登记表</source>
        <translation>Annex 1 Register of traces and physical evidence collected</translation>
    </message>
    <message>
        <source>附件3 现场照片</source>
        <translation>Annex 3 Scene photos</translation>
    </message>
    <message>
        <source>附件4 现场勘验情况分析报告</source>
        <translation>Annex 4 Scene investigation analysis report</translation>
    </message>
    <message>
        <source>共 {n} 张</source>
        <translation>{n} photos</translation>
    </message>
    <message>
        <source>本案没有照片</source>
        <translation>No photos in this case</translation>
    </message>
    <message>
        <source>每页 {n} 张</source>
        <translation>{n} per page</translation>
    </message>
    <message>
        <source>每张 A4 纸上排几张照片</source>
        <translation>How many photos go on each A4 page</translation>
    </message>
    <message>
        <source>内部资料&#x3000;不随案移交</source>
        <translation>Internal  not handed over with the case file</translation>
    </message>
    <message>
        <source>请至少选择一项。</source>
        <translation>Choose at least one part.</translation>
    </message>
    <message>
        <source>生成 PDF 并用本机的 PDF 阅读器打开</source>
        <translation>Make the PDF and open it in this computer&apos;s PDF viewer</translation>
    </message>
    <message>
        <source>选择打印机和份数，生成 PDF 后送往打印机</source>
        <translation>Choose printer and copies; the PDF is made and sent to the printer</translation>
    </message>
    <message>
        <source>预览(&amp;V)</source>
        <translation>Pre&amp;view</translation>
    </message>
    <message>
        <source>打印(&amp;P)…</source>
        <translation>&amp;Print…</translation>
    </message>
    <message>
        <source>导出 PDF(&amp;E)…</source>
        <translation>&amp;Export PDF…</translation>
    </message>
    <message>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>导出 PDF</source>
        <translation>Export PDF</translation>
    </message>
    <message>
        <source>PDF 文件 (*.pdf)</source>
        <translation>PDF files (*.pdf)</translation>
    </message>
    <message>
        <source>正在送往打印机…</source>
        <translation>Sending to the printer…</translation>
    </message>
    <message>
        <source>正在生成报告…</source>
        <translation>Making the report…</translation>
    </message>
    <message>
        <source>报告已生成，但未能记入工作日志：{error}</source>
        <translation>The report was made but could not be entered in the work log: {error}</translation>
    </message>
    <message>
        <source>已在 PDF 阅读器中打开预览（{pages} 页）。</source>
        <translation>Preview opened in the PDF viewer ({pages} pages).</translation>
    </message>
    <message>
        <source>无法打开 PDF 阅读器。预览文件在：{path}</source>
        <translation>Could not open a PDF viewer. The preview is at: {path}</translation>
    </message>
    <message>
        <source>已送往打印机 {printer}：{pages} 页，{copies} 份。</source>
        <translation>Sent to printer {printer}: {pages} pages, {copies} copies.</translation>
    </message>
    <message>
        <source>已导出 {pages} 页：{path}</source>
        <translation>Exported {pages} pages: {path}</translation>
    </message>
    <message>
        <source>（默认打印机）</source>
        <translation>(default printer)</translation>
    </message>
    <message>
        <source>已取消，没有生成文件。</source>
        <translation>Cancelled; no file was made.</translation>
    </message>
    <message>
        <source>没有写入权限</source>
        <translation>no permission to write</translation>
    </message>
    <message>
        <source>磁盘空间不足</source>
        <translation>disk full</translation>
    </message>
    <message>
        <source>文件夹不存在</source>
        <translation>folder does not exist</translation>
    </message>
    <message>
        <source>磁盘只读</source>
        <translation>read-only disk</translation>
    </message>
    <message>
        <source>无法写入 PDF 文件（{reason}）：{path}</source>
        <translation>Cannot write the PDF file ({reason}): {path}</translation>
    </message>
</context>
<context>
    <name>RequestForm</name>
    <message>
        <source>办理</source>
        <translation>Handling</translation>
    </message>
    <message>
        <source>已办理。</source>
        <translation>Done.</translation>
    </message>
</context>
<context>
    <name>RequestPage</name>
    <message>
        <source>只看超期未办结的</source>
        <translation>Overdue only</translation>
    </message>
    <message>
        <source>办理状态</source>
        <translation>Handling</translation>
    </message>
    <message>
        <source>办理期限</source>
        <translation>Due</translation>
    </message>
    <message>
        <source>（超期）</source>
        <translation> (overdue)</translation>
    </message>
</context>
<context>
    <name>ReviewQueue</name>
    <message>
        <source>没有待审核的勘验</source>
        <translation>No cases waiting for review</translation>
    </message>
    <message>
        <source>审核意见</source>
        <translation>Review comment</translation>
    </message>
    <message>
        <source>写明需要补正的内容（退回补正时必填；审核通过时可留空）</source>
        <translation>What needs to be corrected (required when returning; may be left empty when approving)</translation>
    </message>
    <message>
        <source>审核通过</source>
        <translation>Approve</translation>
    </message>
    <message>
        <source>待审核的勘验（已定稿）(&amp;Q)</source>
        <translation>Review &amp;queue: finalized cases</translation>
    </message>
    <message>
        <source>勘验</source>
        <translation>Scene cases</translation>
    </message>
    <message>
        <source>采集</source>
        <translation>Collected records</translation>
    </message>
    <message>
        <source>退回意见针对的栏目：勘验员打开退回的草稿时直接定位到该栏目</source>
        <translation>The section the return comment is about: the technician&apos;s returned draft opens there</translation>
    </message>
    <message>
        <source>意见所指栏目(&amp;S)：</source>
        <translation>&amp;Section the comment is about:</translation>
    </message>
    <message>
        <source>意见(&amp;M)：</source>
        <translation>Co&amp;mment:</translation>
    </message>
    <message>
        <source>审核通过(&amp;A)</source>
        <translation>&amp;Approve</translation>
    </message>
    <message>
        <source>退回补正(&amp;T)</source>
        <translation>Re&amp;turn for correction</translation>
    </message>
    <message>
        <source>已显示 {n} 件（向下滚动加载更多）</source>
        <translation>{n} shown (scroll down to load more)</translation>
    </message>
    <message>
        <source>共 {n} 件待审核</source>
        <translation>{n} waiting for review</translation>
    </message>
    <message>
        <source>勘验 {number}
第 {version} 版（{status}）</source>
        <translation>Case {number}
version {version} ({status})</translation>
    </message>
    <message>
        <source>整件勘验（不指定栏目）</source>
        <translation>The whole case (no section)</translation>
    </message>
    <message>
        <source>确定审核通过勘验 {number} 第 {version} 版吗？</source>
        <translation>Approve case {number}, version {version}?</translation>
    </message>
    <message>
        <source>退回补正时请写明需要补正的内容。</source>
        <translation>To return a case, write what needs to be corrected.</translation>
    </message>
    <message>
        <source>已审核通过勘验 {number}。</source>
        <translation>Case {number} approved.</translation>
    </message>
    <message>
        <source>已退回补正勘验 {number}，勘验员将在列表最前看到它。</source>
        <translation>Case {number} returned for correction; technicians will see it at the top of their list.</translation>
    </message>
</context>
<context>
    <name>ReviewValues</name>
    <message>
        <source>是</source>
        <translation>Yes</translation>
    </message>
    <message>
        <source>否</source>
        <translation>No</translation>
    </message>
    <message>
        <source>，海拔 {alt} 米</source>
        <translation>, altitude {alt} m</translation>
    </message>
    <message>
        <source>{n} 张照片</source>
        <translation>{n} photo(s)</translation>
    </message>
</context>
<context>
    <name>SectionList</name>
    <message>
        <source>审核退回意见：{comment}</source>
        <translation>Returned by the reviewer: {comment}</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>设置</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>更改语言后，重新启动程序才会生效。</source>
        <translation>A change of language takes effect when the program is restarted.</translation>
    </message>
    <message>
        <source>界面语言：</source>
        <translation>Interface language:</translation>
    </message>
    <message>
        <source>数据文件夹：</source>
        <translation>Data folder:</translation>
    </message>
    <message>
        <source>设置文件：</source>
        <translation>Settings file:</translation>
    </message>
</context>
<context>
    <name>Shortcuts</name>
    <message>
        <source>新建勘验（光标停在第一个待填的必填项）</source>
        <translation>New case (the cursor goes to the first required field to fill)</translation>
    </message>
    <message>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>检查：列出阻止定稿的问题</source>
        <translation>Check: list what blocks finalizing</translation>
    </message>
    <message>
        <source>下一个 / 上一个问题，并定位到该栏目（尚未检查时先检查）</source>
        <translation>Next / previous problem, shown at its field (checks first if not checked yet)</translation>
    </message>
    <message>
        <source>定稿</source>
        <translation>Finalize</translation>
    </message>
    <message>
        <source>下一个 / 上一个标签页</source>
        <translation>Next / previous section tab</translation>
    </message>
    <message>
        <source>笔录 / 照片 / 物证登记</source>
        <translation>Record / Photos / Evidence register</translation>
    </message>
    <message>
        <source>报告：预览、打印或导出 PDF</source>
        <translation>Report: preview, print or export PDF</translation>
    </message>
    <message>
        <source>下一个 / 上一个输入项（表格中跳过系统填写的格）</source>
        <translation>Next / previous input (tables skip cells the system fills)</translation>
    </message>
    <message>
        <source>表格：添加一行（提取人、提取时间沿用上一行）</source>
        <translation>Table: add a row (collected by and time as in the row above)</translation>
    </message>
    <message>
        <source>表格：到本行下一个还需填写的格</source>
        <translation>Tables: the row&apos;s next cell still to be filled</translation>
    </message>
    <message>
        <source>插入模板：选定案件性质、现场勘验情况为空时，按记录填写五段勘验情况</source>
        <translation>Insert template: once a case type is chosen and the scene narrative is empty, writes its five paragraphs from the record</translation>
    </message>
    <message>
        <source>表格：复制当前行（编号在保存时另给）</source>
        <translation>Table: copy the current row (its own number when saved)</translation>
    </message>
    <message>
        <source>照片：多选；分类、说明前缀、照相人一次改所选的全部照片</source>
        <translation>Photos: select several; class, caption prefix and photographer change all selected photos at once</translation>
    </message>
    <message>
        <source>照片：所选照片分为方位、概貌、重点部位、细目、物证照片、其他；只选一张时，分好后选中下一张</source>
        <translation>Photos: class of the selected photos: location, overview, key area, detail, evidence item, other; with one photo selected, the next one is selected after it</translation>
    </message>
    <message>
        <source>照片：导入文件夹（读卡器中的相机存储卡自动填入，否则输入文件夹），照片先分为细目（可另选），Enter 导入</source>
        <translation>Photos: import a folder (a camera card in a reader is filled in, else type the folder); the photos start as detail (another class can be chosen); Enter imports</translation>
    </message>
    <message>
        <source>Alt+S C D A R X N</source>
        <translation>Alt+S C L A R D N</translation>
    </message>
    <message>
        <source>保存、检查、定稿、补正、报告、放弃恢复、新建勘验</source>
        <translation>Save, Check, Finalize, Amend, Report, Discard recovered edits, New case</translation>
    </message>
    <message>
        <source>报告：导出 PDF（另有 Alt+V 预览、Alt+P 打印）</source>
        <translation>Report: export PDF (Alt+V preview, Alt+P print)</translation>
    </message>
    <message>
        <source>审核：待审核的勘验、意见所指栏目、意见、退回补正、审核通过、报告</source>
        <translation>Review: the queue, the section the comment is about, the comment, return for correction, approve, report</translation>
    </message>
    <message>
        <source>清空数字或日期</source>
        <translation>Clear a number or date</translation>
    </message>
    <message>
        <source>文件 → 导出数据包：把待同步的数据写到 U 盘，带到服务器导入</source>
        <translation>File → Export bundle: write the data waiting to sync to a USB stick, to be imported on the server</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>快捷键</source>
        <translation>Keyboard shortcuts</translation>
    </message>
    <message>
        <source>按键</source>
        <translation>Keys</translation>
    </message>
    <message>
        <source>作用</source>
        <translation>Action</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <source>用户：{name}（{role}）</source>
        <translation>User: {name} ({role})</translation>
    </message>
    <message>
        <source>单位：{unit}</source>
        <translation>Unit: {unit}</translation>
    </message>
    <message>
        <source>同步：未配置（离线）</source>
        <translation>Sync: not set up (offline)</translation>
    </message>
    <message>
        <source>尚未设置同步服务器：所有记录保存在本机，待同步的操作留在队列中，设置后再发送。</source>
        <translation>No sync server is set up: all records are kept on this computer; operations wait in the queue and are sent once sync is set up.</translation>
    </message>
    <message>
        <source>本机在数据文件夹之外保存了工作日志的签名检查点，现在的数据与它不符：数据库或整个数据文件夹可能被换成了较早的副本或另一份数据。检查点保持不变，直到查明原因。校验：文件 → 校验数据…，或在命令行运行 weicha verify。</source>
        <translation>This computer keeps a signed checkpoint of the audit log outside the data folder, and the data no longer matches it: the database or the whole data folder may have been replaced with an older copy or with other data. The checkpoint stays as it is until the cause is found. To verify: File → Verify data…, or run weicha verify on the command line.</translation>
    </message>
    <message>
        <source>数据可能被回滚或替换：{reason}。请用“文件 → 校验数据…”核对，并联系管理员。</source>
        <translation>The data may have been rolled back or replaced: {reason}. Please check it with “File → Verify data…” and contact your administrator.</translation>
    </message>
    <message>
        <source>笔记本丢失或损坏时，没有备份的勘验记录和原始照片无法找回。请备份到移动硬盘或 U 盘，并与笔记本分开保管。</source>
        <translation>If the laptop is lost or broken, case records and original photos without a backup cannot be recovered. Back up to an external disk or USB stick and keep it apart from the laptop.</translation>
    </message>
    <message>
        <source>立即备份</source>
        <translation>Back up now</translation>
    </message>
    <message numerus="yes">
        <source>待同步 %n 项</source>
        <translation>
            <numerusform>%n operation to sync</numerusform>
            <numerusform>%n operations to sync</numerusform>
        </translation>
    </message>
    <message>
        <source>无待同步数据</source>
        <translation>Nothing to sync</translation>
    </message>
    <message>
        <source>尚未备份</source>
        <translation>Never backed up</translation>
    </message>
    <message numerus="yes">
        <source>上次备份已是 %n 天前</source>
        <translation>
            <numerusform>The last backup was %n day ago</numerusform>
            <numerusform>The last backup was %n days ago</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SummaryView</name>
    <message>
        <source>结束巡逻</source>
        <translation>End patrol</translation>
    </message>
    <message>
        <source>导入 GPX…</source>
        <translation>Import GPX…</translation>
    </message>
    <message>
        <source>导出 PDF…</source>
        <translation>Export PDF…</translation>
    </message>
    <message>
        <source>途中登记的人员、车辆或场所：身份证号、号牌或记录 id</source>
        <translation>A person, vehicle or place recorded on the way: ID number, plate or record id</translation>
    </message>
    <message>
        <source>关联</source>
        <translation>Link</translation>
    </message>
    <message>
        <source>关联：{role} {what}</source>
        <translation>Linked: {role} {what}</translation>
    </message>
    <message>
        <source>命中</source>
        <translation>Hit</translation>
    </message>
    <message>
        <source>未命中</source>
        <translation>No hit</translation>
    </message>
    <message>
        <source>核查：{at} {user} {key} {result}</source>
        <translation>Check: {at} {user} {key} {result}</translation>
    </message>
    <message>
        <source>导入 GPX 路线</source>
        <translation>Import a GPX route</translation>
    </message>
    <message>
        <source>GPX 文件 (*.gpx);;所有文件 (*)</source>
        <translation>GPX files (*.gpx);;All files (*)</translation>
    </message>
    <message>
        <source>导出巡逻工作记录</source>
        <translation>Export the patrol log</translation>
    </message>
    <message>
        <source>PDF 文件 (*.pdf)</source>
        <translation>PDF files (*.pdf)</translation>
    </message>
    <message>
        <source>已关联。</source>
        <translation>Linked.</translation>
    </message>
</context>
<context>
    <name>SyncPage</name>
    <message>
        <source>同步</source>
        <translation>Sync</translation>
    </message>
    <message>
        <source>待同步的操作</source>
        <translation>Operations waiting</translation>
    </message>
    <message>
        <source>项数</source>
        <translation>Count</translation>
    </message>
    <message>
        <source>服务器拒收的操作（已记下原因，不影响其余操作的同步；请联系管理员处理）：</source>
        <translation>Operations the server refused (the reason is kept; the rest still syncs; ask your administrator):</translation>
    </message>
    <message>
        <source>序号</source>
        <translation>#</translation>
    </message>
    <message>
        <source>操作</source>
        <translation>Operation</translation>
    </message>
    <message>
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>拒收时间</source>
        <translation>Refused at</translation>
    </message>
    <message>
        <source>立即同步</source>
        <translation>Sync now</translation>
    </message>
    <message>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>本机尚未登记到同步服务器：所有记录保存在本机，待同步的操作留在队列中。请管理员用服务器给的一次性登记码运行 weicha enroll，或在下面办理离线登记。</source>
        <translation>This computer is not enrolled with a sync server: every record stays on this computer and waiting operations stay queued. Ask an administrator to run weicha enroll with a one-time code from the server, or to enroll it offline below.</translation>
    </message>
    <message>
        <source>本机已离线登记到同步服务器 {server}：用 U 盘数据包同步（文件 → 导出数据包…），不联网同步。要改为联网同步：请管理员运行 weicha-server enroll-code --device-name 名称 --reenroll {device} 取得重新登记码，再在本机运行 weicha enroll --server 服务器地址 --code 重新登记码；已经通过数据包同步的操作不会重复。</source>
        <translation>This computer is enrolled offline with sync server {server}: it syncs with USB bundles (File → Export bundle…), not over the network. To sync over the network instead: an administrator runs weicha-server enroll-code --device-name NAME --reenroll {device} for a re-enrollment code, then this computer runs weicha enroll --server SERVER-ADDRESS --code CODE; operations already synced by bundle are not applied twice.</translation>
    </message>
    <message>
        <source>服务器：{url}（证书指纹 {fp}）</source>
        <translation>Server: {url} (certificate fingerprint {fp})</translation>
    </message>
    <message>
        <source>无：本机上的服务器，未加密</source>
        <translation>none: a server on this computer, unencrypted</translation>
    </message>
    <message>
        <source>正在同步…</source>
        <translation>Syncing…</translation>
    </message>
    <message>
        <source>上次成功同步：{time}</source>
        <translation>Last successful sync: {time}</translation>
    </message>
    <message>
        <source>尚未成功同步过。</source>
        <translation>Not synced successfully yet.</translation>
    </message>
    <message numerus="yes">
        <source>待上传照片：%n 张，{mb} MB</source>
        <translation>
            <numerusform>%n photo waiting to upload, {mb} MB</numerusform>
            <numerusform>%n photos waiting to upload, {mb} MB</numerusform>
        </translation>
    </message>
    <message>
        <source>没有待上传的照片。</source>
        <translation>No photos waiting to upload.</translation>
    </message>
    <message>
        <source>正在连接服务器…</source>
        <translation>Connecting to the server…</translation>
    </message>
    <message>
        <source>导入照片</source>
        <translation>Photo imported</translation>
    </message>
    <message>
        <source>修改照片说明</source>
        <translation>Photo description changed</translation>
    </message>
    <message>
        <source>移除照片</source>
        <translation>Remove photo</translation>
    </message>
    <message>
        <source>重新导入照片</source>
        <translation>Photo imported again</translation>
    </message>
    <message>
        <source>调整照片顺序</source>
        <translation>Photo order changed</translation>
    </message>
    <message>
        <source>新建记录</source>
        <translation>New record</translation>
    </message>
    <message>
        <source>草稿保存</source>
        <translation>Draft saved</translation>
    </message>
    <message>
        <source>定稿</source>
        <translation>Finalize</translation>
    </message>
    <message>
        <source>补正</source>
        <translation>Amend</translation>
    </message>
    <message>
        <source>审核</source>
        <translation>Review</translation>
    </message>
    <message>
        <source>必比状态</source>
        <translation>Comparison</translation>
    </message>
    <message>
        <source>正在上传照片原图：{done} / {total} MB</source>
        <translation>Uploading photo originals: {done} / {total} MB</translation>
    </message>
    <message>
        <source>正在发送同步操作：已发送 {done} 项</source>
        <translation>Sending operations: {done} sent</translation>
    </message>
</context>
<context>
    <name>SyncWorker</name>
    <message>
        <source>同步：未配置（离线）</source>
        <translation>Sync: not set up (offline)</translation>
    </message>
    <message>
        <source>同步：通过 U 盘数据包（离线登记）</source>
        <translation>Sync: by USB bundles (enrolled offline)</translation>
    </message>
    <message>
        <source>同步：正在同步…</source>
        <translation>Sync: syncing…</translation>
    </message>
    <message numerus="yes">
        <source>同步：未成功，约 %n 秒后重试</source>
        <translation>
            <numerusform>Sync: failed, retrying in about %n second</numerusform>
            <numerusform>Sync: failed, retrying in about %n seconds</numerusform>
        </translation>
    </message>
    <message>
        <source>同步：未成功（点此查看）</source>
        <translation>Sync: failed (click for details)</translation>
    </message>
    <message>
        <source>同步：已同步（{time}）</source>
        <translation>Sync: up to date ({time})</translation>
    </message>
    <message>
        <source>同步：已登记，等待同步</source>
        <translation>Sync: enrolled, waiting</translation>
    </message>
</context>
<context>
    <name>SystemPrint</name>
    <message>
        <source>本机没有安装打印机。请用“导出 PDF…”保存后，在连接打印机的电脑上打印。</source>
        <translation>No printer is installed on this computer. Use “Export PDF…” and print from a computer with a printer.</translation>
    </message>
    <message>
        <source>Windows 无法打印这个 PDF（{error}）：本机可能没有能打印 PDF 的阅读器。请用“导出 PDF…”保存后，在 PDF 阅读器中打印。</source>
        <translation>Windows cannot print this PDF ({error}): there may be no PDF reader that can print. Use “Export PDF…” and print from a PDF reader.</translation>
    </message>
    <message>
        <source>本机没有 lp 打印命令（CUPS 打印系统），无法直接打印。请用“导出 PDF…”保存后，在 PDF 阅读器中打印。</source>
        <translation>This computer has no lp print command (CUPS), so it cannot print directly. Use “Export PDF…” and print from a PDF reader.</translation>
    </message>
    <message>
        <source>打印系统 {n} 秒内没有响应。请检查打印机，或用“导出 PDF…”保存后打印。</source>
        <translation>The printing system did not answer within {n} seconds. Check the printer, or use “Export PDF…” and print that.</translation>
    </message>
    <message>
        <source>无法运行打印命令 lp（{error}）。请用“导出 PDF…”保存后，在 PDF 阅读器中打印。</source>
        <translation>Cannot run the print command lp ({error}). Use “Export PDF…” and print from a PDF reader.</translation>
    </message>
    <message>
        <source>打印系统拒绝了打印任务：{error}。请检查打印机，或用“导出 PDF…”保存后打印。</source>
        <translation>The printing system refused the job: {error}. Check the printer, or use “Export PDF…” and print that.</translation>
    </message>
</context>
<context>
    <name>TemplateBar</name>
    <message>
        <source>插入模板</source>
        <translation>Insert template</translation>
    </message>
    <message>
        <source>按所选模板填写空白的现场勘验情况栏目；已写的内容须确认后才会替换</source>
        <translation>Fill the empty scene-description fields from the chosen template; text already written is replaced only after you confirm</translation>
    </message>
    <message>
        <source>模板文件有误，请运行 weicha forms check：
</source>
        <translation>The template file is faulty; run weicha forms check:
</translation>
    </message>
    <message>
        <source>现场勘验情况模板：</source>
        <translation>Scene description template:</translation>
    </message>
    <message>
        <source>以下栏目已有内容：{fields}。
要用模板替换这些内容吗？（选“否”只填写空白栏目）</source>
        <translation>These fields already have text: {fields}.
Replace it with the template? (“No” fills only the empty fields)</translation>
    </message>
</context>
<context>
    <name>TemplateOffer</name>
    <message>
        <source>插入模板(&amp;T)</source>
        <translation>Insert &amp;template</translation>
    </message>
    <message>
        <source>不用</source>
        <translation>No thanks</translation>
    </message>
    <message>
        <source>现场勘验情况尚空：插入“{title}”模板？地址、天气、时间、人员、提取的痕迹物证由记录写入，其余留“____”待填（F8 逐个定位）。</source>
        <translation>The scene findings are still empty: insert the “{title}” template? The address, weather, times, people and the traces collected are written from the record; the rest is left as “____” to fill in (F8 goes to each).</translation>
    </message>
</context>
<context>
    <name>UnitPage</name>
    <message>
        <source>本单位</source>
        <translation>Your unit</translation>
    </message>
    <message>
        <source>这台电脑上的勘验记录属于哪个单位。</source>
        <translation>The unit that the case records on this computer belong to.</translation>
    </message>
    <message>
        <source>例如 450702000000</source>
        <translation>e.g. 450702000000</translation>
    </message>
    <message>
        <source>例如 钦州市公安局钦南分局刑侦大队</source>
        <translation>e.g. 钦州市公安局钦南分局刑侦大队</translation>
    </message>
    <message>
        <source>单位代码：</source>
        <translation>Unit code:</translation>
    </message>
    <message>
        <source>12 位数字的公安机关机构代码，是勘验号的一部分（勘验号 = K + 单位代码 + 年月 + 4 位序号），初始化后不能更改。</source>
        <translation>The 12-digit police organization code. It is part of every case number (K + unit code + year and month + 4-digit serial) and cannot be changed after setup.</translation>
    </message>
    <message>
        <source>单位名称：</source>
        <translation>Unit name:</translation>
    </message>
    <message>
        <source>请填写单位名称。</source>
        <translation>Please enter the unit name.</translation>
    </message>
</context>
<context>
    <name>VerifyDialog</name>
    <message>
        <source>校验数据</source>
        <translation>Verify data</translation>
    </message>
    <message>
        <source>核对工作日志的哈希链、本机保存的签名检查点、各项记录与工作日志是否一致，以及原始照片是否完好。只读取，不改动任何数据；校验时可以继续工作。</source>
        <translation>Checks the hash chain of the audit log, the signed checkpoint kept on this computer, whether every record agrees with the audit log, and whether the original photos are intact. It only reads and changes no data; you can keep working meanwhile.</translation>
    </message>
    <message>
        <source>重新校验</source>
        <translation>Check again</translation>
    </message>
    <message>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>正在校验…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <source>校验通过：工作日志 {entries} 条，定稿记录 {versions} 版，用户 {users} 位，原始照片 {originals} 张，均未被改动。</source>
        <translation>Verified: {entries} audit log entries, {versions} finalized versions, {users} users and {originals} original photos, none altered.</translation>
    </message>
    <message numerus="yes">
        <source>校验失败：发现 %n 处改动或损坏。请保留这台电脑上的数据原样，并联系管理员。</source>
        <translation>
            <numerusform>Verification failed: %n alteration or damage found. Keep the data on this computer as it is and contact your administrator.</numerusform>
            <numerusform>Verification failed: %n alterations or damages found. Keep the data on this computer as it is and contact your administrator.</numerusform>
        </translation>
    </message>
    <message>
        <source>校验时出错：{error}</source>
        <translation>The check failed with an error: {error}</translation>
    </message>
</context>
<context>
    <name>WatchlistImportDialog</name>
    <message>
        <source>导入核查名单</source>
        <translation>Import watch list</translation>
    </message>
    <message>
        <source>CSV 文件（UTF-8 或 GBK）</source>
        <translation>CSV file (UTF-8 or GBK)</translation>
    </message>
    <message>
        <source>选择文件…</source>
        <translation>Choose file…</translation>
    </message>
    <message>
        <source>按列名或名单名称判断</source>
        <translation>From the column names or the list&apos;s name</translation>
    </message>
    <message>
        <source>人员（身份证号）</source>
        <translation>Persons (ID number)</translation>
    </message>
    <message>
        <source>车辆（号牌）</source>
        <translation>Vehicles (plate)</translation>
    </message>
    <message>
        <source>跳过有误的行，只导入无误的行</source>
        <translation>Skip bad rows, import only the good ones</translation>
    </message>
    <message>
        <source>文件(&amp;F)：</source>
        <translation>&amp;File:</translation>
    </message>
    <message>
        <source>名单名称(&amp;N)：</source>
        <translation>List &amp;name:</translation>
    </message>
    <message>
        <source>名单类别(&amp;K)：</source>
        <translation>&amp;Kind:</translation>
    </message>
    <message>
        <source>导入(&amp;I)</source>
        <translation>&amp;Import</translation>
    </message>
    <message>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>同名名单将被新文件整份替换；任何一行有误时不导入（除非选择跳过）。</source>
        <translation>A list of the same name is replaced whole by the new file; a file with any bad row is not imported (unless you skip bad rows).</translation>
    </message>
    <message>
        <source>选择名单文件</source>
        <translation>Choose the list file</translation>
    </message>
    <message>
        <source>CSV 文件 (*.csv *.txt)</source>
        <translation>CSV files (*.csv *.txt)</translation>
    </message>
    <message>
        <source>请选择名单文件并填写名单名称。</source>
        <translation>Choose the list file and enter the list&apos;s name.</translation>
    </message>
    <message>
        <source>正在读取并检查…</source>
        <translation>Reading and checking…</translation>
    </message>
    <message>
        <source>已导入名单“{name}”第 {version} 版（{date}）：{n} 条（{encoding}）。</source>
        <translation>Imported list “{name}” version {version} ({date}): {n} entries ({encoding}).</translation>
    </message>
    <message>
        <source>{n} 行有误未导入，见下。</source>
        <translation> {n} bad rows not imported, listed below.</translation>
    </message>
</context>
</TS>
