import LinuxHost

/// The Prometheus endpoint on carpd's loop. Monitoring must never cost failover: an address
/// that cannot be bound is logged and carpd runs on without metrics.
extension Daemon {
    func serveMetrics() {
        var listen = options.metrics
        if listen == nil {
            switch Node.metricsSetting(options.configDirectory, files: LinuxFiles()) {
            case .success(let setting): listen = setting
            case .failure(let problem): log.error("\(problem); serving no metrics")
            }
        }
        guard let listen else { return }
        do {
            let server = try MetricsServer(listen: listen)
            try server.register(with: reactor) { [unowned self] in metricsText() }
            metrics = server
            log.info("metrics on http://\(listen)/metrics")
        } catch {
            log.error("metrics: \(error); serving no metrics")
        }
    }

    func metricsText() -> String {
        var out = PrometheusText()
        node.writeMetrics(into: &out, startTime: startTime)
        guard let metrics else { return out.text }
        out.family("carp_metrics_dropped_total", .counter, "metrics clients dropped: too slow (timeout) or too many at once (limit)")
        for (why, count) in metrics.dropped.sorted(by: { $0.key < $1.key }) { out.sample("carp_metrics_dropped_total", [("why", why)], count) }
        out.family("carp_metrics_replies_total", .counter, "HTTP replies of the metrics endpoint, by status code")
        for (code, count) in metrics.replies.sorted(by: { $0.key < $1.key }) { out.sample("carp_metrics_replies_total", [("code", String(code))], count) }
        return out.text
    }
}
