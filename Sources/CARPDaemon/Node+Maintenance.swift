import CARPControl
import CARPCore

/// Persistent maintenance mode (pfSense's "Enter Persistent CARP Maintenance Mode"):
/// `sysctl net.inet.carp.maintenance=1` demotes this node until `=0`. It outlives carpd
/// restarts (the runtime state) and reboots: the file `maintenance` in the configuration
/// directory, read at every start.
extension Node {
    static let maintenanceSysctl = "net.inet.carp.maintenance"

    var maintenancePath: String { options.configDirectory + "/maintenance" }

    /// Records the mode where a reboot finds it; a failure to write is logged, not fatal.
    func rememberMaintenance(_ on: Bool) {
        guard on else { return files.remove(maintenancePath) }
        let text = "# net.inet.carp.maintenance=1: carpd starts demoted until `sysctl net.inet.carp.maintenance=0`\n"
        do { try files.write(text, to: maintenancePath) } catch {
            log.error("carp: maintenance mode is not kept across a reboot: \(maintenancePath): \(error)")
        }
    }

    /// At start: the file puts the node in maintenance mode again.
    func resumeMaintenance() {
        guard files.read(maintenancePath) != nil, engine.settings.maintenance == 0 else { return }
        _ = handleControl(ControlMessage([("sysctl", "1"), ("name", Self.maintenanceSysctl), ("value", "1")]), root: true, persist: false)
        log.notice("carp: maintenance mode (\(maintenancePath))")
    }
}
