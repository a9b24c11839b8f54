namespace MlOps.Cli;

internal static class Usage
{
    private const string Text = """
        usage: ./mlops <command>
          demo [--keep] [--limit N] [--speed N|max] [--label-lag 30m] [--data FILE] [--timeout S]
                        the main job: train or reuse champion and challenger, start the stack and services, deploy,
                        replay the flights, wait until every departure is scored by every arm, report, stop
                        (--keep leaves the stack running); the report also goes to .mlops/demo-report.json
          replay FILE [--speed N|max] [--limit N] [--label-lag 30m] [--tenant ID]
                        publish a vega-datasets flights file (flights-*.json or flights-3m.parquet) into the running
                        stack in event-time order: departures, then each arrival and its label (delay > 15 min) at
                        landing + the reporting lag
          up [--detach] [--brokers N] [--registry-port P] [--redis-port P] [--spec FILE] [--no-services]
                        start Kafka (librdkafka mock cluster, catalog topics), schema registry, redis-server and the
                        services (ingestion, features, inference, rollout) with the spec (default infra/examples/flights/spec.yaml);
                        writes .mlops/stack.env. Foreground until Ctrl+C, or in the background with --detach.
          down          stop the stack started by 'up' (and its redis-server)
          status        print .mlops/stack.env and whether the stack is running
          topics        print the topic catalog
          probe produce [--count N] [--topic T]     publish EventEnvelope records with Confluent's Avro serializer
          probe consume [--count N] [--topic T] [--group G] [--timeout S]
                                                      read them back with Confluent's Avro deserializer
          probe worker --topic T --group G --out FILE [--batch N] [--session-timeout-ms MS] [--delay-ms MS]
                        run the platform's consumer worker, appending 'partition:offset' per processed message
          models register <manifest.model.json> [--registry-dir DIR]
                        verify an artifact (SHA-256, ONNX graph against its signature), copy it into the model store
                        (.mlops/registry) and publish its version to mlops.models
          deploy --deployment NAME --event-type T[,T2] --model NAME:VERSION [--tenant ID] [--stage S] [--reason TEXT]
                        publish a single-arm deployment to mlops.deployments: the model scores those event types;
                        --reason is kept with the revision (change_reason)
          deploy -f FILE [--reason TEXT]
                        validate a deployment file (champion, weighted challengers, shadows, fallback chain, rules;
                        every problem reported with file:line:column) and publish each deployment to mlops.deployments;
                        warns about models not registered on mlops.models
          deployments   print the current deployments: key, event types, arms and weights, fallback, rules, stage, revision
          undeploy DEPLOYMENT[/TENANT]
                        retire a deployment: publish a tombstone for its key
          rollout start -f|--file ROLLOUT.yaml
                        publish a staged rollout (deployment, tenant?, candidate name:version, stages with traffic,
                        shadow, min_duration, min_samples, manual, gates) to mlops.rollouts; the rollout service drives it
          rollout approve DEPLOYMENT[/TENANT]
                        approve the current manual stage (a new rollout revision listing it in approvals)
          rollout status [DEPLOYMENT[/TENANT]]
                        print the transitions from mlops.rollout-events, with their reasons
          rollout abort DEPLOYMENT[/TENANT]
                        delete the rollout (tombstone): the rollout service rolls back to the champion
          rules publish <rules.yaml>
                        validate a versioned output rule set and publish it to mlops.rules (key name:version);
                        a published version with different rules is refused (versions are immutable)
          rules list    the rule sets on mlops.rules: name:version, rule count, created_at
          rules diff <a> <b>
                        what changed between two rule sets; each is a file or a published name:version
          train [--trainer fasttree|logistic] [--data FILE] [--out DIR] [--name N] [--version V] [--rows N]
                [--from T] [--to T] [--holdout-from T] [--spec FILE] [--seed S]
                        train the flight-delay model (default FastTree) on vega-datasets' BTS flights (default
                        .mlops/data/.../flights-20k.json, installed by ./mlops; any flights-*.json or flights-3m.parquet):
                        departures in [--from, --to), T is yyyy-MM-dd or yyyy-MM-ddTHH:mm; holdout from --holdout-from,
                        else the latest 20%. Export ONNX + manifest to DIR (default models/flight-delay) and print the
                        holdout metrics
          train ... --register  then register the new version in the running stack (as 'models register')
          train --from-log [--arm champion] [--version V] [--trainer T] [--out DIR] [--register]
                        train from a running stack's prediction log joined with mlops.labels: the features each event
                        was served (point-in-time by construction), earliest 80 % to train, latest 20 % held out
          test          (./mlops only) install what is missing, build, run every test
        """;

    public static int Print()
    {
        Console.WriteLine(Text);
        return 0;
    }

    public static int Fail(string error)
    {
        Console.Error.WriteLine("mlops: " + error);
        Console.Error.WriteLine(Text);
        return 2;
    }
}
