// The Train module: dense networks on OpenBLAS, saved and restored through the registry.
import Registry
