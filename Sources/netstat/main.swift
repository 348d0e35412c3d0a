import AdminTools
import Glibc

exit(NetstatCommand(out: Output(capture: false), carpd: CarpdClient(environment: Environment.current))
    .run(Array(CommandLine.arguments.dropFirst())))
