import AdminTools
import Glibc

exit(NetstartCommand(out: Output(capture: false), carpd: CarpdClient(environment: Environment.current))
    .run(Array(CommandLine.arguments.dropFirst())))
