// The whole platform, started once for every test in this assembly.
[assembly: AssemblyFixture(typeof(Platform.Testing.PlatformFixture))]
