brand = Agora
skip-to-content = 跳到正文
nav-label = 主导航
nav-home = 首页
nav-me = 我的账户
nav-logout = 退出登录
nav-login = 登录
nav-signup = 注册
footer-language = 语言：
footer-tagline = Agora 为您连接值得信赖的服务伙伴。只有在您同意时，我们才会分享您的信息。
form-error-summary = 请更正以下问题
actions = 操作
save = 保存

## Error pages
error-request-id = 参考编号：{ $id }
error-home-link = 返回首页
error-400-title = 无法理解该请求
error-400-text = 提交的内容有误。请返回后重试。
error-403-title = 不允许此操作
error-403-text = 您无权执行此操作，或者表单已过期。请刷新页面后重试。
error-404-title = 找不到页面
error-404-text = 这里没有内容，或者您无权查看。
error-405-title = 此处不允许
error-405-text = 该地址不接受这种请求。
error-408-title = 请求超时
error-408-text = 请求未能及时送达，请重试。
error-409-title = 内容已被更改
error-409-text = 在您操作期间，有人更改了这里的内容。请刷新页面后重试。
error-413-title = 数据过多
error-413-text = 您发送的内容超过了允许的大小。
error-429-title = 尝试次数过多
error-429-text = 请稍候再试。
error-500-title = 出错了
error-500-text = 我们无法完成您的请求。错误已被记录，请稍后重试。
error-503-title = 服务繁忙
error-503-text = 服务当前繁忙，请稍后重试。

## Home
home-title = 欢迎
home-heading = 来自可信伙伴的服务
home-lead = 查找服务，一键提出请求，并由您自己决定每个伙伴可以了解您的哪些信息。
home-signed-in = 当前登录：{ $name }。
home-latest = Agora 新上线
home-empty = 目前还没有发布的服务。

## Fields and form errors
field-email = 电子邮箱
field-display-name = 您的名字
field-password = 密码
field-new-password = 新密码
field-confirm-password = 再次输入新密码
field-current-password = 当前密码
field-language = 语言
language-auto = 跟随浏览器设置
password-hint = 至少 12 个字符。几个不相关的词组合起来，既安全又好记。
error-email-required = 请输入您的电子邮箱。
error-email-invalid = 请输入有效的电子邮箱，例如 name@example.com。
error-name-required = 请输入您的名字。
error-name-too-long = 名字最多 80 个字符。
error-name-invalid = 名字中包含不允许的字符。
error-password-short = 密码至少需要 12 个字符。
error-password-long = 密码最多 256 个字符。
error-password-common = 这个密码太常见了，请换一个。
error-password-required = 请输入您的密码。
error-password-mismatch = 两次输入的密码不一致。
error-current-password = 当前密码不正确。
error-locale-invalid = 请从提供的语言中选择。

## Sign-up and verification
signup-title = 创建账户
signup-submit = 创建账户
signup-have-account = 已经有账户了？
signup-done-title = 请查收邮件
signup-done-text = 我们已向您填写的地址发送了一封邮件。请打开其中的链接确认邮箱，然后登录。
verify-resend-link = 没有收到邮件？
verify-resend-title = 重新发送确认邮件
verify-resend-intro = 请输入您注册时使用的邮箱，我们会发送新的链接。
verify-resend-submit = 发送新的确认链接
verify-resent-title = 请查收邮件
verify-resent-text = 如果有未确认的账户使用该地址，新的确认链接已在路上。
verify-done-title = 邮箱已确认
verify-done-text = 谢谢！您的邮箱已确认，现在可以登录了。
verify-invalid-title = 此链接无效
verify-invalid-text = 确认链接有误、已被使用或已过期。您可以申请新的链接。

## Sign-in
login-title = 登录
login-submit = 登录
login-forgot = 忘记密码？
login-no-account = 创建账户
login-failed = 邮箱或密码不正确。
login-unverified = 请先确认您的邮箱：打开我们发给您的邮件中的链接。
login-welcome = 欢迎回来，{ $name }。

## Passwords
forgot-title = 重置密码
forgot-intro = 输入您的邮箱，我们会发送一个设置新密码的链接。
forgot-submit = 发送重置链接
forgot-done-title = 请查收邮件
forgot-done-text = 如果有账户使用该地址，重置密码的链接已在路上，一小时内有效。
reset-title = 设置新密码
reset-submit = 保存新密码
reset-invalid-title = 此重置链接无效
reset-invalid-text = 链接有误、已被使用或已过期。您可以申请新的链接。
reset-done = 您的密码已更改，所有设备均已退出登录。请使用新密码登录。
password-change-intro = 更改密码后，您在其他所有设备上的登录都会失效。
password-change-submit = 更改密码
password-changed = 您的密码已更改，其他会话已退出登录。

## Account
me-title = 我的账户
me-heading = 您好，{ $name }
me-member-since = 注册于 { $date }
me-profile = 个人资料
me-password = 密码
me-sessions = 登录设备
profile-saved = 您的个人资料已保存。
sessions-count = { $count ->
   *[other] 您目前在 { $count } 处登录。
}
sessions-device = 浏览器
sessions-ip = 地址
sessions-started = 登录时间
sessions-last-seen = 最近活动
sessions-unknown = 未知浏览器
sessions-this = 当前浏览器
sessions-end = 在该处退出
sessions-end-others = 退出其他所有登录
sessions-ended = { $count ->
   *[other] 已结束 { $count } 个其他会话。
}

## Email
mail-greeting = { $name }，您好：
mail-signature = Agora 团队
mail-not-you = 如果这不是您本人的操作，请忽略此邮件。
mail-verify-subject = 请确认您在 Agora 的邮箱
mail-verify-intro = 感谢您在 Agora 创建账户。请确认此邮箱属于您。
mail-verify-action = 确认我的邮箱
mail-verify-expiry = 此链接仅可使用一次，48 小时内有效。
mail-existing-subject = 有人尝试用您的邮箱注册
mail-existing-intro = 有人尝试用此邮箱创建 Agora 账户，但您已经有账户了。
mail-existing-action = 登录
mail-existing-reset = 如果您忘记了密码，可以在这里设置新密码：{ $link }
mail-reset-subject = 重置您的 Agora 密码
mail-reset-intro = 我们收到了重置您账户密码的请求。
mail-reset-action = 设置新密码
mail-reset-expiry = 此链接仅可使用一次，一小时内有效。
mail-changed-subject = 您的 Agora 密码已更改
mail-changed-intro = 您账户的密码刚刚被更改，其他会话已退出登录。
mail-changed-not-you = 如果这不是您本人的操作，请立即重置密码：{ $link }

## Navigation (partners, admin, catalogue)
nav-catalogue = 服务
nav-partner = 我的伙伴机构
nav-admin = 管理
nav-apply = 成为伙伴
me-privacy = 隐私与授权
delete = 删除

## Common fields and errors
field-name = 名称
field-org-name = 机构名称
field-website = 网站
field-contact-email = 联系邮箱
field-description = 简介
field-title = 标题
field-slug = 网址（slug）
field-slug-hint = 仅限小写字母、数字和连字符。留空时将根据标题生成。
field-category = 类别
field-summary = 摘要
field-body = 详细介绍（Markdown）
field-body-hint = 支持 Markdown：**粗体**、*斜体*、列表、链接和表格。可使用“预览”检查效果。
field-price = 价格
field-status = 状态
field-updated = 最近修改
field-role = 角色
field-reason = 原因
field-rating = 您的评分
field-review = 您的评价
error-required = 此项为必填。
error-too-long = 内容过长。
error-slug-invalid = 只能使用小写字母、数字和单个连字符。
error-slug-taken = 该网址已被其他服务使用。
error-website-invalid = 请输入以 https:// 或 http:// 开头的完整网址。
error-category-invalid = 请从提供的类别中选择。
error-category-name = 名称中至少需要一个字母或数字。
error-category-exists = 已存在同名类别。
error-rating-invalid = 请选择一到五颗星。
error-reason-required = 请填写原因，该原因会发送给伙伴机构。
error-role-invalid = 请从提供的角色中选择。
error-role-owner-only = 只有所有者才能授予或撤销所有者角色。

## Partner statuses and roles
partner-status-pending = 等待审核
partner-status-approved = 已批准
partner-status-rejected = 已拒绝
partner-status-suspended = 已暂停
role-owner = 所有者
role-admin = 管理员
role-member = 成员

## Partner application
apply-title = 成为伙伴
apply-intro = 请介绍您的机构。我们的团队会审核每一份申请，并通过邮件答复。
apply-submit = 提交申请
apply-done-title = 已收到申请
apply-done-text = 谢谢！我们会审核您的申请，并通过邮件告知结果。

## Partner area
partner-index-title = 我的伙伴机构
partner-index-empty = 您还没有加入任何伙伴机构。
partner-nav-label = 伙伴机构
partner-nav-dashboard = 概览
partner-nav-listings = 服务项目
partner-nav-engagements = 服务请求
partner-nav-reviews = 评价
partner-nav-team = 团队
partner-nav-settings = 设置
partner-suspended-banner = 该伙伴机构已被暂停：在平台恢复之前，其服务项目不会公开显示。
partner-public-page = 公开主页
stat-published = 个已发布服务
stat-drafts = 个草稿
stat-views = 次浏览（最近 30 天）
stat-engagements = 个服务请求
listing-new = 新建服务
listing-edit = 编辑服务
listing-preview = 预览
listing-publish = 发布
listing-archive = 归档
listing-view-public = 查看公开页面
listing-saved = 服务已保存。
listing-published = 服务已发布。
listing-archived = 服务已归档，不再公开显示。
listing-status-refused = 无法进行该状态变更。
listing-status-draft = 草稿
listing-status-published = 已发布
listing-status-archived = 已归档
listings-empty = 还没有服务项目，来创建第一个吧。
category-none = 无类别
category-all = 全部类别
team-members = 成员
team-invitations = 待接受的邀请
team-expires = 过期时间
team-invite = 邀请成员
team-invite-submit = 发送邀请
team-invited = 已向 { $email } 发送邀请。
team-change-role = 更改角色
team-role-changed = 角色已更改。
team-remove = 移除
team-removed = 成员已移除。
team-revoke = 撤回
team-invitation-revoked = 邀请已撤回。
team-last-owner = 伙伴机构至少需要一位所有者：请先让其他人成为所有者。
settings-profile = 公开资料
settings-notifications = 通知
settings-notify-engagements = 有人请求我们的服务时发送邮件通知
settings-saved = 设置已保存。
engagements-intro = 请求过您服务的用户。只有在对方同意分享时，才会显示其姓名和邮箱。
engagements-empty = 还没有服务请求。
engagements-consumer = 用户
engagements-listing = 服务
engagements-message = 留言
engagements-date = 日期
engagements-no-consent = 未分享联系方式
engagements-message-hidden = 未经同意不予显示
review-reply = 公开回复
review-reply-submit = 保存回复
review-reply-saved = 您的回复已发布。
review-hidden-note = 已被平台隐藏

## Invitations
invitation-title = 邀请
invitation-text = 您受邀以{ $role }身份加入 { $partner }。
invitation-sign-in-first = 请使用 { $email } 登录（或创建账户）后接受邀请。
invitation-accept = 接受邀请
invitation-accepted = 欢迎加入团队。
invitation-wrong-account = 此邀请发送给 { $email }。请使用该邮箱登录后接受。
invitation-invalid-title = 此邀请无效
invitation-invalid-text = 邀请链接有误、已被使用或已过期。请联系对方重新邀请。

## Catalogue
catalogue-title = 服务
catalogue-results-for = “{ $query }”的搜索结果
catalogue-search-label = 搜索
catalogue-search-placeholder = 您在找什么？
catalogue-search-submit = 搜索
catalogue-sort = 排序
catalogue-count-capped = 找到超过 { $count } 项服务；缩小搜索范围可查看全部。
catalogue-count = { $count ->
   *[other] 找到 { $count } 项服务。
}
catalogue-empty = 目前还没有发布的服务，请稍后再来。
catalogue-no-results = 没有与“{ $query }”匹配的服务。
catalogue-no-results-plain = 该类别下暂时没有服务。
catalogue-clear = 显示全部服务
sort-relevance = 最相关
sort-newest = 最新
sort-rating = 评分最高
sort-popular = 浏览最多
pagination-label = 分页
pagination-prev = 上一页
pagination-next = 下一页
pagination-position = 第 { $page } 页，共 { $pages } 页
pagination-first = 第一页
pagination-page = 第 { $page } 页
count-capped = { $count }+
partner-services = 服务
partner-no-services = 目前没有已发布的服务。

## Listing page: requests, consent, reviews
engage-title = 请求此服务
engage-sign-in = 登录后请求此服务
engage-message = 给伙伴机构的留言（可选）
engage-submit = 请求此服务
engage-done = 您的请求已发送。
engage-already = 您已经请求过此服务。
engage-requested-on = 您于 { $date } 请求了此服务。
consent-state-given = { $partner } 可以看到您的姓名和邮箱。
consent-state-none = { $partner } 看不到您的姓名和邮箱。
consent-withdraw = 停止分享我的信息
consent-give = 分享我的信息
consent-withdrawn = 您已不再与该伙伴机构分享您的信息。
consent-given = 您已与该伙伴机构分享您的姓名和邮箱。
reviews-title = 评价
reviews-none = 暂无评价
reviews-count = { $count ->
   *[other] （{ $count } 条评价）
}
rating-label = { $rating ->
   *[other] { $rating } 星
}
review-write = 撰写评价
review-edit = 修改您的评价
review-submit = 发布评价
review-saved = 谢谢，您的评价已保存。
review-reply-from = { $partner } 的回复

## Privacy
privacy-title = 隐私与授权
privacy-intro = 只有在您同意时，伙伴机构才能看到您的姓名和邮箱。您可以随时在此更改，立即生效。
privacy-empty = 您还没有请求过任何服务。
privacy-partner = 伙伴机构
privacy-services = 您请求过的服务
privacy-sharing = 您的信息
privacy-shared = 已分享
privacy-not-shared = 未分享

## Admin
admin-title = 管理后台
admin-partners = 伙伴机构
admin-categories = 类别
admin-moderation = 评价审核
admin-partners-empty = 还没有机构提交申请。
admin-partners-none = 没有符合条件的机构。
admin-partners-search = 名称
admin-partners-waiting = 待审核的申请：{ $count }
moderation-all = 全部评价
moderation-visible = 显示中
moderation-hidden = 已隐藏
admin-applied = 申请时间
admin-applicant = 申请人
admin-reason-hint = 拒绝或暂停时必填；申请人会看到该原因。
admin-approve = 批准
admin-reject = 拒绝
admin-suspend = 暂停
admin-reinstate = 恢复
admin-partner-updated = 伙伴机构已更新。
admin-partner-status-refused = 在伙伴机构当前状态下无法进行该变更。
category-new = 新建类别
category-add = 添加类别
category-saved = 类别已保存。
category-deleted = 类别已删除。
category-in-use = 有服务正在使用该类别，无法删除。
review-hide = 隐藏
review-unhide = 重新显示
review-moderated = 评价已更新。

## Email (partners)
mail-greeting-plain = 您好：
mail-invitation-subject = 您受邀加入 Agora 上的 { $partner }
mail-invitation-intro = { $inviter } 邀请您以{ $role }身份加入 Agora 上的 { $partner }。
mail-invitation-action = 接受邀请
mail-invitation-expiry = 此链接仅可使用一次，七天内有效。请使用此邮箱登录或创建账户后接受邀请。
mail-approved-subject = { $partner } 已通过 Agora 审核
mail-approved-intro = 好消息：{ $partner } 现已成为 Agora 的伙伴机构。您是其所有者，可以发布服务项目。
mail-approved-action = 打开伙伴管理页面
mail-rejected-subject = 关于 { $partner } 的申请
mail-rejected-intro = 很抱歉，我们目前无法接受 { $partner } 成为伙伴机构。
mail-decision-reason = 原因：{ $reason }
mail-engagement-subject = 新的服务请求：{ $listing }
mail-engagement-intro-anonymous = 有人请求了“{ $listing }”，对方选择不分享联系方式。
mail-engagement-message = 对方留言：{ $message }
mail-engagement-action = 查看服务请求
mail-engagement-settings = 您可以在伙伴机构设置中关闭此类邮件。

## Support: tickets
nav-desk = 客服台
tickets-title = 我的工单
tickets-empty = 您还没有提交过求助。
tickets-empty-partner = 还没有与您的服务相关的工单。
partner-nav-tickets = 工单
ticket-new = 寻求帮助
ticket-help-with-listing = 就此服务寻求帮助
ticket-about-listing = 关于 { $partner } 的“{ $listing }”
ticket-submit = 提交
ticket-number = 编号
ticket-opened = 工单 #{ $number } 已创建，确认邮件已发送给您。
ticket-opened-on = 创建于 { $date }
ticket-follow-up-subject = #{ $number } 的后续
ticket-follow-up = 创建后续工单
ticket-closed-note = 此工单已关闭。
ticket-closed-no-reply = 此工单已关闭，请创建后续工单。
ticket-reply = 回复
ticket-reply-as = 以 { $partner } 的名义回复
ticket-reply-reopens = 回复后工单将重新打开。
ticket-send = 发送回复
ticket-send-public = 发送公开回复
ticket-add-note = 添加内部备注
ticket-reply-sent = 您的回复已发送。
ticket-note-added = 内部备注已添加。
ticket-internal-note = 内部备注
ticket-author-staff = { $name }（客服）
ticket-new-message = 新消息
ticket-collision = 在您撰写期间有人回复了。请先阅读上方的新消息；您的草稿保留在下方。
ticket-then = 然后将状态设为
ticket-then-keep = 保持不变
ticket-manage = 工单
ticket-assign = 分配
ticket-assign-me = 分配给我
ticket-assigned = 工单已分配。
ticket-unassigned = 未分配
ticket-change-status = 更改状态
ticket-status-changed = 状态已更改。
ticket-status-refused = 当前状态下不允许进行该状态变更。
ticket-change-priority = 更改优先级
ticket-priority-changed = 优先级已更改，截止时间已重新计算。
ticket-requester = 提交人
ticket-due = 截止时间
ticket-status-new = 新建
ticket-status-open = 处理中
ticket-status-pending = 等待提交人回复
ticket-status-resolved = 已解决
ticket-status-closed = 已关闭
field-subject = 主题
field-message = 内容
field-priority = 优先级
field-priority-hint = 紧急程度如何？
field-assignee = 负责人
priority-low = 低
priority-normal = 普通
priority-high = 高
priority-urgent = 紧急
error-priority-invalid = 请从提供的优先级中选择。
history-tickets = 其他工单
history-engagements = 请求过的服务
history-reviews = 评价
history-none = 无
history-all = 此用户的全部工单
requester-tickets-title = { $name } 的工单

## Support: desk
desk-title = 客服台
desk-nav-label = 客服台
desk-search = 编号、主题或邮箱
desk-count = { $count ->
   *[other] 共 { $count } 个工单。
}
desk-count-capped = 共 { $count } 个工单。
desk-empty = 此队列中没有工单。
queue-unassigned = 未分配
queue-mine = 我的
queue-open = 全部进行中
queue-waiting = 等待用户回复
queue-breaching = 即将违反 SLA
queue-resolved = 最近已解决
filter-any = 不限
filter-apply = 应用
sla-first-response = 首次响应
sla-resolution = 解决
sla-met = 已达成
sla-missed = 已逾期
sla-due-soon = 一小时内到期
sla-running = 正常
sla-paused = 已暂停
sla-none = 无目标
canned-title = 快捷回复
canned-new = 新建快捷回复
canned-edit = 编辑
canned-empty = 还没有快捷回复。
canned-insert = 快捷回复
canned-use = 插入
canned-saved = 快捷回复已保存。
canned-deleted = 快捷回复已删除。
canned-placeholders = 占位符：{"{{"}name{"}}"} 为提交人姓名，{"{{"}ticket{"}}"} 为工单编号，{"{{"}agent{"}}"} 为您的名字。

## Support: satisfaction
survey-title = 我们做得怎么样？
survey-question = 请为您获得的帮助评分
survey-comment = 还有什么想说的吗？（可选）
survey-submit = 提交评分
survey-thanks = 感谢您的反馈。
survey-closed = 此工单已关闭，评分无法再更改。
survey-your-rating = { $rating ->
   *[other] 您的评分：{ $rating } 星。
}

## Support: SLA settings
admin-sla = 服务水平
sla-intro = 各优先级的目标时间，按工作时间计算。工单等待用户回复期间计时暂停。
sla-first-response-hours = 首次响应（小时）
sla-resolution-hours = 解决（小时）
sla-offset = 时区（相对 UTC 的偏移，例如 +08:00）
sla-schedule = 工作时间
sla-schedule-hint = 填写 24x7，或按周一到周日用逗号分隔的七项，每项为 HH:MM-HH:MM 或 closed。
sla-saved = 服务水平已保存。
error-hours-invalid = 请输入大于零的小时数。
error-sla-order = 解决目标不能短于首次响应目标。
error-offset-invalid = 请输入类似 +08:00 或 -05:00 的偏移。
error-schedule-invalid = 请填写 24x7，或七项类似 09:00-17:00 或 closed 的内容。

## Support: reports
reports-title = 报表
report-from = 开始日期
report-to = 结束日期
report-business-hours = 时间按工作时间计算，不含等待用户回复的时间。
report-times-sampled = 响应和解决时间按本期最新的 { $count } 个工单计算；数量统计涵盖整个期间。
report-overview = 概览
report-all = 全部工单
report-none = （无）
report-opened = 新建
report-resolved = 已解决
report-first-median = 首次响应中位数
report-first-p90 = 首次响应第 90 百分位
report-resolution-median = 解决时间中位数
report-resolution-p90 = 解决时间第 90 百分位
report-satisfaction = 满意度
report-sla = SLA 达成率
report-by-agent = 按客服
report-by-partner = 按伙伴机构
error-date-invalid = 请输入类似 2026-11-25 的日期。

## Email (tickets)
mail-ticket-opened-intro = 我们已收到您的请求，并创建了工单 #{ $number }。我们会尽快答复。
mail-ticket-reply-hint = 您可以在工单页面查看进展并回复。
mail-ticket-view = 打开工单
mail-ticket-reply-intro = { $author } 回复了工单 #{ $number }：
mail-ticket-assigned-intro = 工单 #{ $number } 已分配给您。
mail-ticket-resolved-intro = 我们已将工单 #{ $number } 标记为已解决。
mail-ticket-survey = 我们做得怎么样？点一下即可：
mail-ticket-reopen-hint = 问题未解决？在工单页面回复即可重新打开。

## Admin: people and records
admin-users = 用户
admin-users-search = 姓名或邮箱
admin-users-none = 没有符合条件的账户。
admin-roles = 角色
admin-role-admin = 管理员
admin-role-staff = 客服
admin-user-active = 正常
admin-user-unverified = 未确认
admin-user-disabled = 已停用
admin-make-staff = 设为客服
admin-remove-staff = 取消客服
admin-disable = 停用
admin-enable = 启用
admin-user-updated = 账户已更新。
admin-user-self = 您不能对自己的账户执行此操作。
admin-audit = 审计日志
admin-audit-search = 操作或对象
admin-audit-time = 时间
admin-audit-actor = 操作人
admin-audit-action = 操作
admin-audit-subject = 对象
admin-audit-none = 没有符合条件的记录。
admin-outbox = 邮件发件箱
admin-outbox-failed = 发送失败
admin-outbox-queued = 等待发送
admin-outbox-none = 暂无内容。
admin-outbox-to = 收件人
admin-outbox-attempts = 尝试次数
admin-outbox-error = 最近错误
admin-outbox-next = 下次尝试
admin-outbox-retry = 重试
admin-email-retried = 该邮件将重新发送。

## Own data
privacy-your-data = 您的数据
privacy-export-intro = 下载我们保存的关于您的全部信息：个人资料、服务请求与授权、评价、工单、活动和登录会话。
privacy-export = 下载我的数据（JSON）
privacy-delete-intro = 您也可以删除账户。
delete-title = 删除我的账户
delete-intro = 这将删除您的账户以及您的服务请求、评价和工单，且无法撤销。伙伴机构将不再看到您。
delete-confirm = 我明白此操作无法撤销
delete-submit = 删除我的账户
delete-done-title = 您的账户已删除
delete-done-text = 我们已删除您的账户，并向您的邮箱发送了确认邮件。
error-delete-confirm = 请勾选以确认。
error-delete-last-owner = 您是 { $partner } 唯一的所有者。请先让其他人成为所有者。
mail-deleted-subject = 您的 Agora 账户已删除
mail-deleted-intro = 按照您的要求，我们已删除您的 Agora 账户及其相关数据。
mail-deleted-not-you = 如果这不是您本人的操作，请立即回复此邮件。
stat-conversion = 的浏览转化为服务请求（30 天）
stat-conversion-few-views = 浏览次数不足（少于 { $min } 次）
stat-open-tickets = 个未结工单
stat-first-response = 首次响应中位数（90 天）

## CRM
partner-nav-customers = 客户
crm-intro = 请求过您的服务并同意分享信息的用户。一旦对方撤回授权，其信息及您对其的备注会立即从这里消失。
crm-empty = 还没有客户与您分享信息。
crm-export = 下载 CSV
crm-last-activity = 最近活动
crm-activities-90 = 活动次数（90 天）
crm-segment = 分群
crm-tags = 标签
crm-tag = 标签
crm-add-tag = 添加标签
crm-remove-tag = 删除标签 { $tag }
crm-notes = 备注
crm-note = 备注（仅您的团队可见）
crm-add-note = 添加备注
crm-note-added = 备注已添加。
crm-timeline = 时间线
crm-sort = 排序
crm-sort-recent = 最近活跃优先
crm-sort-inactive = 最久未活跃优先
crm-sort-frequent = 最活跃（90 天）
crm-sort-satisfied = 评分最高
crm-count = 符合条件的客户：{ $count }
crm-not-scored = 尚未评分：有新活动后几分钟内会重新计算评分。
crm-computed-at = 评分计算于 { $time }；有新活动后几分钟内以及每天都会重新计算。
error-tag-invalid = 标签最多 40 个字符，且不能包含逗号。
segment-champions = 核心客户
segment-loyal = 忠实客户
segment-new = 新客户
segment-at-risk = 流失风险
segment-hibernating = 沉睡客户
segment-others = 其他
crm-rules-title = 分群规则
crm-rules-scores = 每位客户有三个 1 到 5 分的评分，按在您全部客户中的排名计算（5 分最好；数值相同者取中间排名的分数）：R 表示最近一次与您互动的时间，F 表示最近 90 天的互动频率，S 表示其给您的平均评分（评价和工单满意度；未评分按 3 分计）。
crm-rule-champions = R、F、S 均不低于 4。
crm-rule-new = 最近 30 天内首次与您互动。
crm-rule-loyal = R 不低于 3 且 F 不低于 4。
crm-rule-at-risk = R 不高于 2 但 F 不低于 3：曾经经常光顾。
crm-rule-hibernating = R 和 F 都不高于 2。
crm-rule-others = 其余客户。
timeline-engaged = 请求了服务
timeline-consent-given = 同意分享信息
timeline-consent-withdrawn = 停止分享信息
timeline-reviewed = 撰写了评价
timeline-ticket-opened = 创建了工单
timeline-ticket-replied = 在工单中回复
timeline-ticket-answered = 工单得到答复
timeline-note-added = 添加了备注
timeline-other = 活动

## Unsubscribe
mail-unsubscribe = 停止接收此类邮件：{ $link }
unsubscribe-title = 邮件通知
unsubscribe-question = 停止向 { $partner } 发送新服务请求的邮件？
unsubscribe-submit = 停止接收此类邮件
unsubscribe-done = { $partner } 将不再收到新服务请求的邮件。可在伙伴机构设置中重新开启。

## Listing moderation
admin-listings = 服务审核
admin-take-down = 下架
admin-listing-taken-down = 该服务已下架，并已告知伙伴机构原因。
mail-takedown-subject = 您的服务“{ $listing }”已被下架
mail-takedown-intro = 平台已将“{ $listing }”从服务目录中下架。该服务已归档，您可以修改后重新发布。
mail-takedown-action = 打开该服务
duration-minutes = { $m } 分钟
duration-hours = { $h } 小时 { $m } 分钟
duration-days = { $d } 天 { $h } 小时

## Consent: one per partner
consent-a-consumer = 一位用户
consent-a-consumer-ticket = 一位用户（工单 #{ $number }）
consent-scope = 此设置适用于 { $partner } 整体：包括您向其提出的所有请求（过去和将来），直到您更改为止。
engage-share-partner = 与 { $partner } 分享我的姓名和邮箱（适用于其所有服务）
engage-share-hint = 分享针对 { $partner } 整体：涵盖您向 { $partner } 提出的所有请求，并让其看到您写给它的内容，直到您停止分享；您可以随时停止。如不分享，{ $partner } 只会知道有人提出了请求，不会知道您是谁或您写了什么。
engage-shared-already = 您已与 { $partner } 分享您的姓名和邮箱（适用于其所有服务）：{ $partner } 也会在此请求中看到它们和您的留言。
engage-member = 您是 { $partner } 的成员，因此不能请求或评价其服务。
engage-member-refused = 您是 { $partner } 的成员：成员不能请求或评价自己所属伙伴机构的服务。
mail-engagement-intro-contact = { $name }（{ $email }）请求了“{ $listing }”。
mail-engagement-details-hidden = 除非对方同意与您分享，否则其姓名、邮箱和留言不予显示。请在伙伴机构后台查看该请求。
ticket-partner-sees-named = 由于您与 { $partner } 分享了信息，{ $partner } 将看到此工单以及您的姓名和邮箱。
ticket-partner-sees-anonymous = 由于您未与 { $partner } 分享信息，{ $partner } 看到的此工单和您的消息将显示为来自“一位用户”，不含您的姓名和邮箱。

## Team rules and races
team-already-member = { $email } 已是团队成员：请在成员列表中修改其角色。
team-role-changed-meanwhile = 您在此团队中的角色刚刚发生了变化，因此该修改未执行。
invitation-already-member = 您已是此团队成员；您的角色仍为{ $role }。
invitation-role-changed = 您已是此团队成员；您的角色现为{ $role }。
ticket-follow-up-send = 用这条消息创建后续工单
ticket-draft-not-sent = 您的消息（未发送）

## Throttling and rate limits
wait-seconds = { $n } 秒
wait-minutes = { $n } 分钟
wait-hours = { $n } 小时
login-slowed = 此账户登录失败次数过多。请在 { $wait }后重试。您以前登录过的浏览器不受影响。
login-address-limited = 来自您所在网络的登录尝试过多。请在 { $wait }后重试。
rate-limited = 您在短时间内操作过于频繁。请在 { $wait }后重试；您填写的内容已保留在下方。

# HTML validity: headings the checker asks for
catalogue-results-heading = 搜索结果

# Partner API: tokens and errors
partner-nav-developers = 开发者
developers-title = API 令牌
developers-intro = 令牌让您自己的系统（客户管理、预约工具、客服系统）代表本合作伙伴使用 Agora API。每个令牌只能做其权限范围允许的事；持有令牌的人都能在这些范围内代表合作伙伴操作，请妥善保密。
developers-none = 还没有 API 令牌。
developers-name = 名称
developers-scopes = 权限范围
developers-created-by = 创建者
developers-last-used = 最近使用
developers-expires = 到期
developers-expiry = 有效期
developers-expiry-never = 永不过期
developers-expiry-days = { $days } 天后
developers-never-used = 从未使用
developers-former-member = 已离开的成员
developers-revoke = 吊销
developers-revoked-badge = 已吊销
developers-expired-badge = 已过期
developers-new = 新建令牌
developers-create = 创建令牌
developers-created = 令牌已创建。
developers-revoked = 令牌已吊销，不再有效。
developers-secret-title = 您的新令牌
developers-secret-once = 请立即复制：它只显示这一次，之后无法再次查看。如果遗失，请吊销它并新建一个。
developers-error-scopes = 请至少选择一个权限范围。
developers-error-expiry = 请选择所列的有效期之一。
scope-listings-read = 读取合作伙伴的服务项目
scope-listings-write = 创建和修改服务项目
scope-requests-read = 读取同意分享资料的用户的请求
scope-customers-read = 读取同意分享资料的客户
scope-reviews-read = 读取评价
scope-reviews-write = 回复评价
scope-tickets-read = 读取与合作伙伴服务项目相关的工单（公开消息）
scope-tickets-write = 以合作伙伴身份回复工单
mail-token-created-subject = { $partner } 新建了 API 令牌“{ $token }”
mail-token-created-intro = { $name } 为 { $partner } 创建了 API 令牌“{ $token }”。
mail-token-revoked-subject = { $partner } 的 API 令牌“{ $token }”已吊销
mail-token-revoked-intro = { $name } 吊销了 { $partner } 的 API 令牌“{ $token }”，该令牌不再有效。
mail-token-not-you = 如果您不清楚原因，请查看合作伙伴的令牌，并吊销任何您不认识的令牌。
mail-token-action = 查看合作伙伴的 API 令牌
api-not-found = 未找到
api-unauthorized = 需要有效的 API 令牌
api-forbidden = 该令牌无权执行此操作
api-forbidden-detail = 此操作需要权限范围 { $scope }。
api-rate-limited = 请求过多
api-unavailable = 服务暂时不可用
api-bad-request = 请求无效
api-bad-query = 无法读取查询参数。
api-bad-status = 状态必须是 draft、published 或 archived。
api-bad-cursor = 该游标不是本 API 给出的。
api-bad-limit = limit 必须是 1 到 100 之间的整数。
reference-title = Agora API 参考
reference-intro = 合作伙伴 API 让合作伙伴自己的系统读取和修改其记录。下列每个操作也都列在 OpenAPI 3.1 文档中。
reference-openapi = OpenAPI 文档（JSON）
reference-auth-title = 身份验证
reference-auth-text = 将合作伙伴的一个 API 令牌（由其所有者或管理员在合作伙伴的“开发者”页面创建）作为 Bearer 令牌发送。不读取 Cookie。令牌只能看到其所属合作伙伴的记录。
reference-paging-text = 列表按从新到旧分页返回：把响应中的 next_cursor 作为 cursor 传入即可取得下一页；最后一页时它为 null。
reference-limit-text = 每个令牌每分钟的请求数有限；每个响应都会说明剩余次数（RateLimit-Remaining），超过限制时返回 429 并附带 Retry-After。
reference-operations = 操作
reference-scopes = 权限范围
reference-no-token = 无需令牌
reference-parameters = 参数
reference-statuses = 响应
reference-errors-title = 错误
api-op-listings-list = 列出合作伙伴的服务项目，从新到旧，可按状态筛选。
api-op-listings-show = 读取合作伙伴的一个服务项目，包括其 Markdown 和渲染后的 HTML。
api-op-requests-list = 列出同意向合作伙伴分享姓名和邮箱的用户对其服务项目提出的请求，从新到旧。用户撤回同意后，其请求立即不再列出。
api-op-customers-list = 按编号列出同意分享姓名和邮箱的合作伙伴客户，包括其标签和客户分组。
api-op-customers-show = 在客户的同意仍有效时读取该客户；否则返回 404。
api-invalid = 部分字段需要修改
api-bad-json = 请求体必须是包含服务项目字段的 JSON 对象。
api-unknown-field = 没有名为 { $field } 的字段。
api-status-refused = 该服务项目无法从当前状态转为所请求的状态
api-idempotency-mismatch = 此 Idempotency-Key 已用于另一个请求
api-idempotency-in-progress = 使用此 Idempotency-Key 的请求仍在处理中
api-bad-idempotency-key = Idempotency-Key 最多 255 个字符。
api-op-listings-create = 创建一个服务项目（草稿）。请附上 Idempotency-Key，以便重试时只创建一个。
api-op-listings-update = 修改服务项目的字段；未提供的字段保持原值。
api-op-listings-publish = 发布服务项目：它将出现在目录中。
api-op-listings-archive = 归档服务项目：它将从目录中移除。
api-bad-reply = 请求体必须是 JSON 对象，回复内容放在 body 中。
api-no-author = 该令牌的创建者已不是成员：请新建令牌后再回复。
api-ticket-closed = 工单已关闭
api-op-reviews-list = 列出合作伙伴服务项目的评价，从新到旧；仅在作者的同意仍有效时显示其姓名。
api-op-reviews-reply = 回复评价；新的回复会替换之前的回复。
api-op-tickets-list = 列出与合作伙伴服务项目相关的工单，从新到旧；仅在提交者的同意仍有效时显示其信息。
api-op-tickets-show = 读取工单及其公开消息；内部备注不会显示。
api-op-tickets-reply = 以合作伙伴身份回复工单，并向提交者发送邮件。请附上 Idempotency-Key，以便重试时只发布一次。
api-idempotency-unknown = 使用此 Idempotency-Key 的请求从未得到响应，无法确定是否已完成，因此不会再次执行：请查询该记录，或使用新的 key
