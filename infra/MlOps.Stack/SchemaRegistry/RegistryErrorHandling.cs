using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlOps.Stack.SchemaRegistry;

/// <summary>
/// Every failure leaves as Confluent's <c>{"error_code": N, "message": "..."}</c>: its client reads exactly
/// those two properties into the SchemaRegistryException it throws.
/// </summary>
internal static partial class RegistryErrorHandling
{
    public static void UseRegistryErrors(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<SchemaRegistryServer>();
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (SchemaRegistryException ex)
            {
                await RegistryHttp.Error(ex).ExecuteAsync(context);
            }
            catch (BadHttpRequestException ex)
            {
                await RegistryHttp.Error(new SchemaRegistryException(ex.StatusCode, ex.StatusCode, ex.Message)).ExecuteAsync(context);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && !context.Response.HasStarted)
            {
                LogUnexpected(logger, context.Request.Method, context.Request.Path.Value, ex);
                await RegistryHttp.Error(new SchemaRegistryException("Internal schema registry error", ex)).ExecuteAsync(context);
            }
        });
    }

    public static void MapRegistryNotFound(this WebApplication app) =>
        app.MapFallback(() => RegistryHttp.Error(new SchemaRegistryException(404, 404, "HTTP 404 Not Found")));

    [LoggerMessage(Level = LogLevel.Error, Message = "Schema registry request {Method} {Path} failed")]
    private static partial void LogUnexpected(ILogger logger, string method, string? path, Exception ex);
}
