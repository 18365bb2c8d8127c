import OrderCoreShell
import Glibc
exit(shellMain())
