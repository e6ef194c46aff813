import Registry
print("registry: the CLI arrives with the store")
