// The words of alerts, one catalog per locale. English is the reference: the Chinese catalog
// has the same type, so a missing or extra key does not compile, and test/unit/alert-messages
// checks that no entry is empty and that both say the same {placeholders}.

import type { FlipReason, Status } from "../monitor/monitor-status.ts";
import type { Locale } from "./locale.ts";
import type { HoldKind } from "./holds.ts";

type AlertEventName = "down" | "up" | "failure" | "reminder" | "test" | "report";

export interface AlertMessages {
  /** the headline word: "DOWN: name" */
  headlines: Record<AlertEventName, string>;
  /** the headline of a slow-run report (an alert without a status change) */
  slowHeadline: string;
  /** a slow run's summary: {took} this run, {usual} the median of the last runs */
  slowSummary: string;
  /** the same when there is no median yet */
  slowSummaryAlone: string;
  /** a run too fast (minRunSeconds): {took} this run, {min} the minimum */
  tooFastSummary: string;
  /** a run too soon after the previous one (minGapSeconds): {gap} since it, {min} the minimum */
  tooOftenSummary: string;
  /** down by the failure rate: {failures} of the last {runs} runs failed */
  rateSummary: string;
  reasons: Record<FlipReason, string>;
  statuses: Record<Status, string>;
  /** the labels of the fact rows */
  rows: {
    monitor: string;
    status: string;
    reason: string;
    at: string;
    lastPing: string;
    expected: string;
    downFor: string;
    /** a running-too-long flip's expected time: when the run should have finished */
    dueToFinish: string;
    /** a too-often run's predecessor */
    previousRun: string;
    runTook: string;
    usualRun: string;
    /** after the usual run's length */
    median: string;
    reminder: string;
    exitStatus: string;
    tags: string;
    details: string;
    channel: string;
    dashboard: string;
    /** a released alert: what held it back ("Held back") */
    heldBack: string;
  };
  /** why a released alert was held: {detail} the window ids or the parent's name */
  heldWhile: Record<HoldKind, string>;
  /** the last ping of a monitor that never pinged */
  never: string;
  /** a reminder's summary: {duration} down, then the reason */
  stillDown: string;
  testSummary: string;
  failureReport: string;
  /** added to failureReport when the report was cut */
  truncated: string;
  /** the link to the dashboard */
  open: string;
  /** the weekly report e-mail */
  report: {
    /** {date} the week's last day, {monitors} how many, {failing} how many had failures */
    subject: string;
    title: string;
    /** {username} */
    heading: string;
    /** {week} from – to, with the zone */
    week: string;
    /** {uptime} {down} */
    uptime: string;
    /** {reports} failure reports, {downs} times down */
    failures: string;
    /** {runs} the slowest runs */
    slowest: string;
    /** a run in that list: {ms} {at} */
    run: string;
    noneTimed: string;
    noMonitors: string;
  };
  /** duration units: {n} is the number */
  units: { d: string; h: string; m: string; s: string };
  /** between the items of a list (tags) */
  listSeparator: string;
}

const en: AlertMessages = {
  headlines: { down: "DOWN", up: "UP", failure: "FAILED", reminder: "STILL DOWN", test: "TEST", report: "REPORT" },
  slowHeadline: "SLOW",
  slowSummary: "the run took {took}, usually {usual}",
  slowSummaryAlone: "the run took {took}",
  tooFastSummary: "ran {took}; at least {min} expected",
  tooOftenSummary: "ran again after {gap}; at least {min} apart expected",
  rateSummary: "{failures} of the last {runs} runs failed",
  reasons: {
    ping: "a successful ping arrived",
    failure: "the job reported a failure",
    late: "the ping is late",
    "no-ping": "no ping arrived before the deadline",
    "never-pinged": "the monitor has never pinged",
    "running-too-long": "a started run did not finish within its maximum run time",
    slow: "the run took much longer than usual",
    paused: "paused by hand",
    resumed: "resumed by hand",
    "too-fast": "a run finished sooner than its minimum run time",
    "too-often": "a run came sooner after the previous one than its minimum gap",
    "unexpected-run": "a run came at no scheduled time, nor within its grace",
    "failure-rate": "too many of the last runs failed",
  },
  statuses: { new: "new", up: "up", late: "late", down: "down", paused: "paused" },
  rows: {
    monitor: "Monitor",
    status: "Status",
    reason: "Reason",
    at: "At",
    lastPing: "Last ping",
    expected: "Expected",
    downFor: "Down for",
    dueToFinish: "Due to finish",
    previousRun: "Previous run",
    runTook: "Run took",
    usualRun: "Usual run",
    median: "median",
    reminder: "Reminder",
    exitStatus: "Exit status",
    tags: "Tags",
    details: "Details",
    channel: "Channel",
    dashboard: "Dashboard",
    heldBack: "Held back",
  },
  heldWhile: {
    maintenance: "during maintenance window {detail}",
    snooze: "while the monitor was snoozed",
    parent: "while parent {detail} was down",
  },
  never: "never",
  stillDown: "down for {duration}: {reason}",
  testSummary: "a test alert from Heartbeats: this channel works",
  failureReport: "Failure report",
  truncated: " (truncated)",
  open: "Open in Heartbeats",
  report: {
    subject: "[Heartbeats] Weekly report {date}: {monitors} monitors, {failing} with failures",
    title: "Weekly report",
    heading: "Weekly report for {username}",
    week: "Week: {week}",
    uptime: "uptime {uptime}, down {down}",
    failures: "failures: {reports} failure reports, {downs} times down",
    slowest: "slowest runs: {runs}",
    run: "{ms} ms ({at})",
    noneTimed: "none timed",
    noMonitors: "No monitors.",
  },
  units: { d: "{n}d", h: "{n}h", m: "{n}m", s: "{n}s" },
  listSeparator: ", ",
};

const zhHans: AlertMessages = {
  headlines: { down: "故障", up: "恢复", failure: "执行失败", reminder: "仍然故障", test: "测试", report: "周报" },
  slowHeadline: "运行缓慢",
  slowSummary: "本次运行耗时 {took}，通常为 {usual}",
  slowSummaryAlone: "本次运行耗时 {took}",
  tooFastSummary: "运行仅 {took}；预期至少 {min}",
  tooOftenSummary: "间隔 {gap} 后再次运行；预期间隔至少 {min}",
  rateSummary: "最近 {runs} 次运行中有 {failures} 次失败",
  reasons: {
    ping: "收到了成功的心跳",
    failure: "任务报告了失败",
    late: "心跳已迟到",
    "no-ping": "截止时间前没有收到心跳",
    "never-pinged": "该监控从未收到过心跳",
    "running-too-long": "已开始的运行未在最长运行时间内结束",
    slow: "本次运行耗时远超平常",
    paused: "已手动暂停",
    resumed: "已手动恢复监控",
    "too-fast": "运行在最短运行时间之前就结束了",
    "too-often": "与上次运行的间隔短于最小间隔",
    "unexpected-run": "在非计划时间运行，且不在宽限期内",
    "failure-rate": "最近的运行中失败次数过多",
  },
  statuses: { new: "新建", up: "正常", late: "迟到", down: "故障", paused: "已暂停" },
  rows: {
    monitor: "监控",
    status: "状态",
    reason: "原因",
    at: "时间",
    lastPing: "最近心跳",
    expected: "预期时间",
    downFor: "故障时长",
    dueToFinish: "应结束时间",
    previousRun: "上次运行",
    runTook: "运行耗时",
    usualRun: "通常耗时",
    median: "中位数",
    reminder: "提醒",
    exitStatus: "退出码",
    tags: "标签",
    details: "详情",
    channel: "通知渠道",
    dashboard: "控制台",
    heldBack: "曾被暂缓",
  },
  heldWhile: {
    maintenance: "维护窗口 {detail} 期间",
    snooze: "监控静音期间",
    parent: "上级监控 {detail} 故障期间",
  },
  never: "从未",
  stillDown: "已故障 {duration}：{reason}",
  testSummary: "来自 Heartbeats 的测试告警：此通知渠道工作正常",
  failureReport: "失败报告",
  truncated: "（已截断）",
  open: "在 Heartbeats 中打开",
  report: {
    subject: "[Heartbeats] 周报 {date}：共 {monitors} 个监控，{failing} 个出现故障",
    title: "周报",
    heading: "{username} 的周报",
    week: "周期：{week}",
    uptime: "可用率 {uptime}，故障时长 {down}",
    failures: "失败：{reports} 次失败报告，{downs} 次故障",
    slowest: "最慢的运行：{runs}",
    run: "{ms} 毫秒（{at}）",
    noneTimed: "无计时记录",
    noMonitors: "没有监控。",
  },
  units: { d: "{n}天", h: "{n}小时", m: "{n}分", s: "{n}秒" },
  listSeparator: "、",
};

export const ALERT_MESSAGES: Readonly<Record<Locale, AlertMessages>> = { en, "zh-Hans": zhHans };

/** Fills {name} placeholders; an unknown one stays as written, so a typo shows instead of vanishing. */
export function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
