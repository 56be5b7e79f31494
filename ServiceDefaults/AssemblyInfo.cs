[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("ServiceDefaults.UnitTests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Integration")]
