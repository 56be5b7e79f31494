namespace AppHost.Hosting;

/// <summary>A service project the AppHost runs; the build generates one class per reference in the <c>Projects</c> namespace.</summary>
public interface IProjectMetadata
{
    string ProjectPath { get; }

    string AssemblyPath { get; }
}
