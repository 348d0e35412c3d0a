import AdminTools
import Glibc

exit(SysctlCommand(out: Output(capture: false), carpd: CarpdClient(environment: Environment.current))
    .run(Array(CommandLine.arguments.dropFirst())))
