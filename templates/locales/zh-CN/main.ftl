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
login-throttled = { $minutes ->
   *[other] 登录失败次数过多。请在 { $minutes } 分钟后重试。
}
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
