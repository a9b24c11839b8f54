using MlOps.Rollout;

var app = WebApplication.CreateBuilder(args).BuildRolloutApp();
app.Run();
