using MlOps.Inference;

var app = WebApplication.CreateBuilder(args).BuildInferenceApp();
app.Run();
