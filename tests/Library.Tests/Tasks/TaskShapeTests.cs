using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Tasks;

namespace Library.Tests.Tasks;

public class TaskShapeTests
{
    [Fact]
    public void A_token_sequence_task_is_sized_for_its_longest_split()
    {
        var task = new ReverseTask(symbols: 8, length: 6, generalizationLength: 10);
        var shape = TaskShape.Of(task);
        Assert.Equal(task.VocabSize, shape.Vocab);
        Assert.Equal(task.InputShape(), shape.Input);
        Assert.Equal(task.InputShape(Split.Generalization)[0], shape.MaxLength);
        Assert.True(shape.MaxLength > shape.Input[0]);
        Assert.Equal(task.NumClasses, shape.Classes);
        Assert.True(shape.PerToken);
        Assert.Equal(task.VocabSize, shape.Tokens("a token model"));
    }

    [Fact]
    public void A_set_task_has_features_and_no_vocabulary()
    {
        var task = new SetSumTask(digits: 5, size: 4, generalizationSize: 8);
        var shape = TaskShape.Of(task);
        Assert.Null(shape.Vocab);
        Assert.Equal(5, shape.Features);
        Assert.Equal(8, shape.MaxLength);
        Assert.False(shape.PerToken);
        var error = Assert.Throws<ArgumentException>(() => shape.Tokens("the hourglass"));
        Assert.Equal("the hourglass reads tokens", error.Message);
    }

    [Fact]
    public void Every_sequence_family_takes_the_same_sizes_from_a_task()
    {
        var task = new ReverseTask(symbols: 8, length: 6, generalizationLength: 10);
        var shape = TaskShape.Of(task);
        var transformer = (TransformerConfig)new TransformerConfig(MaxLen: 1).For(task);
        var encoderDecoder = (EncoderDecoderConfig)new EncoderDecoderConfig(MaxLen: 1).For(task);
        var hourglass = (HourglassConfig)new HourglassConfig(MaxLen: 1).For(task);
        Assert.Equal((shape.Vocab!.Value, shape.Classes, shape.MaxLength, true), (transformer.Vocab, transformer.Classes, transformer.MaxLen, transformer.PerToken));
        Assert.Equal((transformer.Vocab, transformer.Classes, transformer.MaxLen, transformer.PerToken), (encoderDecoder.Vocab, encoderDecoder.Classes, encoderDecoder.MaxLen, encoderDecoder.PerToken));
        Assert.Equal((transformer.Vocab, transformer.Classes, transformer.MaxLen, transformer.PerToken), (hourglass.Vocab, hourglass.Classes, hourglass.MaxLen, hourglass.PerToken));
        // A config already longer than the task keeps its length.
        Assert.Equal(64, ((TransformerConfig)new TransformerConfig(MaxLen: 64).For(task)).MaxLen);
    }
}
