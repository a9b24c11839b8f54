using MlOps.Ingestion;

var app = WebApplication.CreateBuilder(args).BuildIngestionApp();
app.Run();
