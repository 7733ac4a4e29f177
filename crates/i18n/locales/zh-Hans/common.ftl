# convene：所有页面共用的网站框架。简体中文。
# 我们用心翻译了这些文字，欢迎以中文为母语的朋友审阅和改进
# (Native speakers are warmly invited to review it)。

## 导航

skip-to-content = 跳到正文
nav-main = 主导航
nav-home = 首页
nav-groups = 小组
nav-calendar = 日历
nav-blog = 博客
nav-lists = 邮件列表
nav-stories = 故事
nav-admin = 管理
nav-account = 账户
nav-sign-in = 登录
nav-sign-out = 退出登录
nav-create-account = 创建账户
language-picker = 选择语言
    .button = 切换

## 页脚

footer-powered = 由 convene 驱动，convene 是以 AGPL 许可发布的自由软件。

## 小组与聚会

group-count = { $count } 个小组
upcoming-count = { $count } 场即将举行的聚会
next-meeting = 下次聚会：{ $date }
met-on = 于 { $date } 聚会
meets-in = 聚会地点：{ $city }
distance-away = 距离 { $distance }
nothing-planned = 暂时还没有安排。
posted-by = 由 { $name } 发布于 { $date }

## 错误

error-page-title = { $site } 出现错误 { $status }
error-back-home = 返回首页
error-find-group = 寻找小组
error-see-what-is-on = 看看近期活动
error-sign-in-to-continue = 登录后继续
error-not-found = 找不到页面
    .detail = 我们找不到这个页面。链接可能有误，或者页面已经移动。
error-forbidden = 无权操作
    .detail = 你没有执行此操作的权限。
error-not-signed-in = 请先登录
    .detail = 登录后才能查看此页面。
error-link-spent = 此链接已被使用
    .detail = 此链接已被使用或已过期。请重新申请一个。
error-rate-limited = 尝试次数过多
    .detail = 请等待 { $seconds } 秒后再试。
error-internal = 出了点问题
    .detail = 我们这边出了点问题，已记录在案。请稍后再试。
