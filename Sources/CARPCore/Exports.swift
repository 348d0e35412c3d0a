// The value types (addresses, keys, states, sysctl nodes) live in CARPTypes so that the
// BSD tools need no cryptography; everything that imports CARPCore sees them too.
@_exported import CARPTypes
