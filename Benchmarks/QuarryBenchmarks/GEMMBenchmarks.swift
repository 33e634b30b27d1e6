func registerGEMMBenchmarks() {}
