using System.CommandLine;

namespace NasNotebooks.Kernel.Cli;

/// <summary><c>nasnotebooks convert INPUT [--output FILE] [--to ipynb|dib]</c>: Polyglot notebooks to and from this kernel's .ipynb.</summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A Polyglot (.NET Interactive) .dib or .ipynb notebook" };
        input.Validators.Add(r =>
        {
            var path = r.GetValueOrDefault<string>();
            if (Directory.Exists(path)) r.AddError($"input '{path}' is a directory; expected a .dib or .ipynb file");
            else if (!File.Exists(path)) r.AddError($"input '{path}' does not exist");
            else if (Path.GetExtension(path).ToLowerInvariant() is not (".dib" or ".ipynb")) r.AddError($"input '{path}' is not a notebook; expected a .dib or .ipynb file");
        });
        var output = new Option<string?>("--output", "-o") { Description = "Where to write (default: beside the input, INPUT.ipynb, or INPUT.nasnotebooks.ipynb for an .ipynb input)", HelpName = "FILE" };
        var to = new Option<string?>("--to") { Description = "Target format (default ipynb; dib when --output ends in .dib)" };
        to.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string?>();
            if (v is not null and not ("ipynb" or "dib")) r.AddError($"invalid value '{v}' for --to (expected ipynb or dib)");
        });
        to.HelpName = "ipynb|dib";
        var command = new Command("convert", "Convert a Polyglot .dib/.ipynb notebook to an .ipynb for this kernel (--to dib: the reverse)");
        command.Arguments.Add(input);
        command.Options.Add(output);
        command.Options.Add(to);
        command.SetAction(result =>
        {
            var inputPath = result.GetValue(input)!;
            var outputPath = result.GetValue(output);
            var format = result.GetValue(to) ?? (outputPath?.EndsWith(".dib", StringComparison.OrdinalIgnoreCase) == true ? "dib" : "ipynb");
            outputPath ??= Path.ChangeExtension(inputPath, null) + (format == "dib" ? ".dib" : inputPath.EndsWith(".ipynb", StringComparison.OrdinalIgnoreCase) ? ".nasnotebooks.ipynb" : ".ipynb");
            Polyglot.NotebookConverter.Result converted;
            try { converted = Polyglot.NotebookConverter.Convert(inputPath, toDib: format == "dib"); }
            catch (FormatException e) { throw new InvalidDataException($"'{inputPath}': {e.Message}", e); }
            File.WriteAllText(outputPath, converted.Text);
            foreach (var w in converted.Warnings) result.InvocationConfiguration.Error.WriteLine("warning: " + w);
            result.InvocationConfiguration.Output.WriteLine($"Wrote {outputPath}");
            return 0;
        });
        return command;
    }
}
