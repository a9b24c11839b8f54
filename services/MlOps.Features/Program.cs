using MlOps.Features;

var app = WebApplication.CreateBuilder(args).BuildFeaturesApp();
app.Run();
