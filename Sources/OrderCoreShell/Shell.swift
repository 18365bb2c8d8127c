import OrderCore
import CEditLine
public func shellMain() -> Int32 { 0 }
