"""The Pulumi engine: the real `pulumi` CLI driven through the Automation API.

- locate / build / install: find the CLI (PATH or the versioned cache) or build it from Go modules;
- statedir / workspace: the per-project state directory and the offline engine environment;
- operations: preview, up, destroy, refresh and status of one plan's stack, from engine events (events);
- consistency: a sandbox stack's state never outlives its sandbox silently;
- dynamic_host: the process that serves our boto3 providers to the engine, with previews;
- errors: engine failures as one clear paragraph.
"""
