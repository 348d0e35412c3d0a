import AdminTools
import Glibc

exit(IfconfigCommand(out: Output(capture: false), carpd: CarpdClient(environment: Environment.current))
    .run(Array(CommandLine.arguments.dropFirst())))
