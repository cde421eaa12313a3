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
        <source>至少 {n} 位</source>
        <translation>At least {n} characters</translation>
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
        <source>请牢记密码：本程序离线运行，忘记后无法找回。</source>
        <translation>Remember the password: this program works offline, a forgotten password cannot be recovered.</translation>
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
    <name>CaseListView</name>
    <message>
        <source>搜索勘验号、案件性质、地点、勘验人…</source>
        <translation>Search case number, case type, place, investigator…</translation>
    </message>
    <message>
        <source>全部</source>
        <translation>All</translation>
    </message>
    <message>
        <source>草稿</source>
        <translation>Draft</translation>
    </message>
    <message>
        <source>退回补正</source>
        <translation>Returned for correction</translation>
    </message>
    <message>
        <source>已定稿</source>
        <translation>Finalized</translation>
    </message>
    <message>
        <source>已审核</source>
        <translation>Reviewed</translation>
    </message>
    <message>
        <source>按勘验时间</source>
        <translation>By investigation time</translation>
    </message>
    <message>
        <source>新建勘验</source>
        <translation>New case</translation>
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
    <name>CaseTableModel</name>
    <message>
        <source>草稿</source>
        <translation>Draft</translation>
    </message>
    <message>
        <source>退回补正</source>
        <translation>Returned for correction</translation>
    </message>
    <message>
        <source>已定稿</source>
        <translation>Finalized</translation>
    </message>
    <message>
        <source>已审核</source>
        <translation>Reviewed</translation>
    </message>
    <message>
        <source>退回意见：{comment}</source>
        <translation>Returned with: {comment}</translation>
    </message>
</context>
<context>
    <name>CaseWorkspace</name>
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
        <source>可选：{choices}</source>
        <translation>Choices: {choices}</translation>
    </message>
    <message>
        <source>添加一行</source>
        <translation>Add row</translation>
    </message>
    <message>
        <source>删除所选行</source>
        <translation>Delete selected rows</translation>
    </message>
    <message>
        <source>由系统填写</source>
        <translation>Filled in by the system</translation>
    </message>
</context>
<context>
    <name>FormHeader</name>
    <message>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>检查</source>
        <translation>Check</translation>
    </message>
    <message>
        <source>列出阻止定稿的问题：必填项与一长四必</source>
        <translation>List what blocks finalizing: required fields and the 一长四必 rules</translation>
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
        <source>已定稿的勘验不能直接修改：补正生成新版本，须写明原因</source>
        <translation>A finalized case cannot be edited: amending creates a new version and needs a reason</translation>
    </message>
    <message>
        <source>放弃恢复</source>
        <translation>Discard recovered edits</translation>
    </message>
    <message>
        <source>丢弃这些未保存的修改，回到上次保存的记录</source>
        <translation>Discard these unsaved edits and go back to the last saved record</translation>
    </message>
    <message>
        <source>已定稿</source>
        <translation>Finalized</translation>
    </message>
    <message>
        <source>已审核</source>
        <translation>Reviewed</translation>
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
        <source>定稿后记录锁定并计算哈希，不能再直接修改（{keys}）</source>
        <translation>Finalizing locks the record and computes its hash; it can no longer be edited ({keys})</translation>
    </message>
    <message>
        <source>下一个 / 上一个标签页：{next} / {prev}</source>
        <translation>Next / previous tab: {next} / {prev}</translation>
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
    <name>Labels</name>
    <message>
        <source>勘验员</source>
        <translation>Technician</translation>
    </message>
    <message>
        <source>审核人</source>
        <translation>Reviewer</translation>
    </message>
    <message>
        <source>管理员</source>
        <translation>Administrator</translation>
    </message>
    <message>
        <source>草稿</source>
        <translation>Draft</translation>
    </message>
    <message>
        <source>已定稿</source>
        <translation>Finalized</translation>
    </message>
    <message>
        <source>已审核</source>
        <translation>Reviewed</translation>
    </message>
    <message>
        <source>退回补正</source>
        <translation>Returned for correction</translation>
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
        <source>微察桌面版</source>
        <translation>WeiCha Desktop</translation>
    </message>
    <message>
        <source>文件(&amp;F)</source>
        <translation>&amp;File</translation>
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
        <source>勘验 {number}：{status}</source>
        <translation>Case {number}: {status}</translation>
    </message>
    <message>
        <source>界面语言已更改，重新启动程序后生效。</source>
        <translation>Interface language changed; it takes effect when the program is restarted.</translation>
    </message>
</context>
<context>
    <name>ProblemPanel</name>
    <message>
        <source>单击或按回车定位到该栏目</source>
        <translation>Click or press Enter to go to the field</translation>
    </message>
</context>
<context>
    <name>ReviewQueue</name>
    <message>
        <source>待审核的勘验（已定稿）</source>
        <translation>Cases waiting for review (finalized)</translation>
    </message>
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
        <source>退回补正</source>
        <translation>Return for correction</translation>
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
</TS>