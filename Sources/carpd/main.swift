import CARPDaemon
import Glibc

exit(CarpdMain.run(arguments: Array(CommandLine.arguments.dropFirst())))
