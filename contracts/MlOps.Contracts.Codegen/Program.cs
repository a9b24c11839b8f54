using MlOps.Contracts.Codegen;

// Regenerates contracts/MlOps.Contracts/Generated from contracts/avro/*.avsc with Apache.Avro's own code
// generator (the library behind avrogen). Usage: dotnet run --project contracts/MlOps.Contracts.Codegen [repoRoot]
var root = args.Length > 0 ? args[0] : RepoRoot.Find();
var written = ContractCodeGenerator.Generate(
    Path.Combine(root, "contracts", "avro"),
    Path.Combine(root, "contracts", "MlOps.Contracts", "Generated"));
Console.WriteLine($"wrote {written.Count} files to contracts/MlOps.Contracts/Generated");
return 0;
