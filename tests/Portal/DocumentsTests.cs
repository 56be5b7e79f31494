using System.Text;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal;

public sealed class DocumentsTests(PortalFixture portal)
{
    [Fact]
    public async Task AnUploadedDocument_ShowsItsStatusLive_UntilIndexed_AndCanBeDeleted()
    {
        var (_, email, password) = await portal.CreateTenantAdminAsync("docs");
        var page = await portal.SignInAsTenantAsync(email, password);
        await page.GotoAsync("/documents");
        await Expect(page.GetByTestId("documents")).ToContainTextAsync("No documents yet.");

        await page.Locator("input[type=file]").SetInputFilesAsync(new FilePayload
        {
            Name = "handbook.md",
            MimeType = "text/markdown",
            Buffer = Encoding.UTF8.GetBytes("# Holidays\n\nEvery employee has twenty-five days of paid holiday a year.\n"),
        });

        // No reload: the page follows the document from queued to indexed by itself.
        await Expect(page.GetByTestId("status-handbook.md")).ToHaveTextAsync("indexed");
        await Expect(page.GetByTestId("documents")).ToContainTextAsync("handbook.md");
        await PortalFixture.ScreenshotAsync(page, "documents-indexed");

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(page.GetByTestId("documents")).ToContainTextAsync("No documents yet.");
    }
}
