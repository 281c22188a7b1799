#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

// The C math library under names that do not clash with local variables.
@inline(__always) func cExp(_ x: Double) -> Double { exp(x) }
@inline(__always) func cLog(_ x: Double) -> Double { log(x) }
@inline(__always) func cPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
