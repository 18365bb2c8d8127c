import OrderCoreShell

#if canImport(Glibc)
import Glibc
#endif

exit(shellMain(Array(CommandLine.arguments.dropFirst())))
