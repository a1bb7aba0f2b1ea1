/**
 * jsdom does no layout, so every element measures 0×0 and recharts' ResponsiveContainer
 * draws nothing. This gives chart containers the size a browser would, for the test's duration.
 */
export function giveChartsASize(width = 600, height = 260) {
  const original = HTMLElement.prototype.getBoundingClientRect;
  let spy: jest.SpyInstance;
  beforeEach(() => {
    spy = jest
      .spyOn(HTMLElement.prototype, 'getBoundingClientRect')
      .mockImplementation(function measure(this: HTMLElement) {
        if (this.classList.contains('recharts-responsive-container')) {
          return {
            width,
            height,
            top: 0,
            left: 0,
            right: width,
            bottom: height,
            x: 0,
            y: 0,
            toJSON() {},
          } as DOMRect;
        }
        return original.call(this);
      });
  });
  afterEach(() => spy.mockRestore());
}
